using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>
/// Issue 16, item 5 (docs/attachments.md, "The no-script path"): files posted with the no-script form as
/// <c>multipart/form-data</c> are streamed, encrypted and stored as uploads the tip names, then bound and downloadable; every limit is
/// answered with the form again (what was typed kept) and never stores a tip; past the hard cap the connection closes.
/// The limits are lowered here so that the tests send little.
/// </summary>
public sealed class NoScriptAttachmentTests : IAsyncLifetime
{
    private const int FileLimit = 300_000;
    private const int TotalLimit = 500_000;
    private const int HardCap = 2_000_000;

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(settings: new Dictionary<string, string>
    {
        ["Attachments:FormMaxFileBytes"] = FileLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Attachments:FormMaxBytes"] = TotalLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Attachments:FormMaxFiles"] = "3",
        ["Attachments:FormHardCap"] = HardCap.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Files_posted_without_script_are_encrypted_on_arrival_attached_to_the_report_and_download_whole()
    {
        var marker = TestTips.NewMarker();
        var notice = RandomNumberGenerator.GetBytes(FileLimit - 10);
        var voice = RandomNumberGenerator.GetBytes(1000);

        using var response = await PostAsync(marker, ("notice.txt", "text/plain", notice), ("voice.mp3", "audio/mpeg", voice), ("", "application/octet-stream", []));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tip = await _host.WaitForTipAsync(marker);
        var rows = new TableServiceClient(_host.ConnectionString).GetTableClient(StorageNames.AttachmentsTable);
        var files = await Eventually.ReturnsAsync(
            async () =>
            {
                var found = await rows.QueryAsync<TableEntity>(row => row.PartitionKey == tip.RowKey).ToListAsync();
                return found.Count == 2 && found.All(row => row.GetString("State") == "attached") ? found : null;
            },
            "both files attached");

        // Named by the server, never by the reporter's file names; 256 KiB chunks on the ladder; never cleaned on this path.
        Assert.Equal(["text-1.txt", "audio-2.mp3"], files.OrderBy(row => row.RowKey).Select(row => row.GetString("Name")));
        Assert.All(files, row => Assert.Equal((262_160, "unchecked"), (row.GetInt32("ChunkBytes"), row.GetString("Handling"))));
        Assert.Equal([2, 1], files.OrderBy(row => row.RowKey).Select(row => row.GetInt32("Chunks")));
        using var staff = await StaffAsync();
        foreach (var (number, bytes) in new[] { (1, notice), (2, voice) })
        {
            using var download = await staff.GetAsync(new Uri($"api/triage/tips/{tip.RowKey}/attachments/{number}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await download.Content.ReadAsByteArrayAsync()));
        }
    }

    [Fact]
    public async Task A_photo_is_cleaned_on_arrival_when_the_box_is_ticked_and_sent_exactly_as_it_was_when_it_is_not()
    {
        var cleanMarker = TestTips.NewMarker();
        var photo = PhotoWithSecrets(scan: RandomNumberGenerator.GetBytes(5000));
        using (var response = await PostAsync(cleanMarker, announcesLength: true, clean: true, ("IMG_20260504_030201.jpg", "image/jpeg", photo)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var originalMarker = TestTips.NewMarker();
        using (var response = await PostAsync(originalMarker, announcesLength: true, clean: false, ("IMG_20260504_030201.jpg", "image/jpeg", photo)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var staff = await StaffAsync();
        var cleaned = await DownloadFirstAsync(staff, cleanMarker);
        Assert.Equal(("scrubbed", "location serial-number xmp"), (cleaned.Row.GetString("Handling"), cleaned.Row.GetString("Removed")));
        foreach (var secret in new[] { "SN-SECRET-0123456789", "GPSLatitude", "Exif" })
        {
            Assert.False(cleaned.Bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(secret)) >= 0, $"'{secret}' is still in the download");
        }

        Assert.Equal(photo[^5002..], cleaned.Bytes[^5002..]); // the scan data and EOI, byte for byte
        Assert.Equal(photo.Length - ExifSegment.Length - XmpSegment.Length, cleaned.Bytes.Length);

        var original = await DownloadFirstAsync(staff, originalMarker);
        Assert.Equal("original", original.Row.GetString("Handling"));
        Assert.Equal(photo, original.Bytes);
    }

    [Fact]
    public async Task A_photo_that_cannot_be_cleaned_brings_the_form_back_and_stores_no_report()
    {
        var marker = TestTips.NewMarker();
        var cutShort = PhotoWithSecrets(scan: RandomNumberGenerator.GetBytes(2000))[..^600];

        using var response = await PostAsync(marker, announcesLength: true, clean: true, ("photo.jpg", "image/jpeg", cutShort));

        Assert.Equal(HttpStatusCode.UnprocessableContent, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("could not be cleaned", page, StringComparison.Ordinal);
        Assert.Contains(marker, page, StringComparison.Ordinal); // what was typed comes back
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(0, await _host.CountTipsWithAsync(marker));
    }

    private static readonly byte[] ExifSegment = Segment(0xE1, [.. "Exif\0\0"u8,
        .. "MM\0*"u8, 0, 0, 0, 8, 0, 1, 0xA4, 0x31, 0, 2, 0, 0, 0, 21, 0, 0, 0, 26, 0, 0, 0, 0, .. "SN-SECRET-0123456789\0"u8]);

    private static readonly byte[] XmpSegment = Segment(0xE1, [.. "http://ns.adobe.com/xap/1.0/\0"u8, .. "<exif:GPSLatitude>42,54.5N</exif:GPSLatitude>"u8]);

    /// <summary>A JPEG's structure as a phone writes it: EXIF with a body serial, XMP with the place, the tables, a frame and a scan.</summary>
    private static byte[] PhotoWithSecrets(byte[] scan) =>
    [
        0xFF, 0xD8, .. ExifSegment, .. XmpSegment,
        .. Segment(0xDB, [0, .. Enumerable.Repeat((byte)8, 64)]),
        .. Segment(0xC0, [8, 0, 16, 0, 16, 1, 1, 0x11, 0]),
        .. Segment(0xDA, [1, 1, 0, 0, 63, 0]),
        .. scan.Select(b => b == 0xFF ? (byte)0xFE : b), 0xFF, 0xD9,
    ];

    private static byte[] Segment(byte marker, byte[] payload) => [0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2), .. payload];

    private async Task<(TableEntity Row, byte[] Bytes)> DownloadFirstAsync(HttpClient staff, string marker)
    {
        var tip = await _host.WaitForTipAsync(marker);
        var rows = new TableServiceClient(_host.ConnectionString).GetTableClient(StorageNames.AttachmentsTable);
        var row = await Eventually.ReturnsAsync(
            async () => (await rows.QueryAsync<TableEntity>(r => r.PartitionKey == tip.RowKey).ToListAsync()).SingleOrDefault(r => r.GetString("State") == "attached"),
            "the photo attached");
        using var download = await staff.GetAsync(new Uri($"api/triage/tips/{tip.RowKey}/attachments/1", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        return (row, await download.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("too-large", 413)]
    [InlineData("too-many", 413)]
    [InlineData("type-not-allowed", 415)]
    public async Task A_post_over_a_limit_comes_back_as_the_form_with_what_was_typed_and_stores_nothing(string limit, int status)
    {
        var marker = TestTips.NewMarker();
        (string, string, byte[])[] files = limit switch
        {
            "too-large" => [("a.txt", "text/plain", new byte[FileLimit - 1000]), ("b.txt", "text/plain", new byte[FileLimit - 1000])],
            "too-many" => [.. Enumerable.Range(1, 4).Select(i => ($"{i}.txt", "text/plain", new byte[10]))],
            _ => [("tool.exe", "application/x-msdownload", new byte[100])],
        };

        using var response = await PostAsync(marker, files);

        Assert.Equal(status, (int)response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains(marker, page, StringComparison.Ordinal);
        Assert.Contains("files", page, StringComparison.OrdinalIgnoreCase);
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(0, await _host.CountTipsWithAsync(marker));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_post_past_the_hard_cap_is_answered_413_and_stores_nothing(bool announcesLength)
    {
        var marker = TestTips.NewMarker();

        // Announced (as browsers do): refused unread. Not announced (chunked): read up to the cap, no further.
        using var response = await PostAsync(marker, announcesLength, ("big.txt", "text/plain", new byte[HardCap + 500_000]));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(0, await _host.CountTipsWithAsync(marker));
    }

    private Task<HttpResponseMessage> PostAsync(string marker, params (string Name, string Type, byte[] Bytes)[] files) =>
        PostAsync(marker, announcesLength: true, files);

    private Task<HttpResponseMessage> PostAsync(string marker, bool announcesLength, params (string Name, string Type, byte[] Bytes)[] files) =>
        PostAsync(marker, announcesLength, clean: false, files);

    private async Task<HttpResponseMessage> PostAsync(string marker, bool announcesLength, bool clean, params (string Name, string Type, byte[] Bytes)[] files)
    {
        // The text fields first, as a browser sends the page's parts in order (the file input is last).
        using var form = new MultipartFormDataContent();
        var fields = await Forms.TestForms.HiddenFieldsAsync(_host.Http);
        fields["lang"] = "en";
        fields["category"] = "detention";
        fields["narrative"] = $"Posted without script, with files {marker}";
        fields["urgency"] = "soon";
        if (clean)
        {
            // The page's checkbox, ticked by default; a browser sends it before the file input that follows it.
            fields["clean"] = "1";
        }

        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        foreach (var (name, type, bytes) in files)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue(type);

            // An empty file input is sent as a part with an empty file name (which Add refuses to write).
            part.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"files\"", FileName = $"\"{name}\"" };
            form.Add(part);
        }

        if (!announcesLength)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("submit", UriKind.Relative)) { Content = form };
            request.Headers.TransferEncodingChunked = true;
            return await _host.Http.SendAsync(request);
        }

        return await _host.Http.PostAsync(new Uri("submit", UriKind.Relative), form);
    }

    private async Task<HttpClient> StaffAsync()
    {
        using var signIn = await _host.Http.PostAsJsonAsync("/dev/token", new { roles = new[] { Core.Staff.StaffRoles.Reader }, name = "Attachment Reader" });
        var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        var staff = new HttpClient { BaseAddress = _host.Http.BaseAddress };
        staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return staff;
    }
}
