using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using TipIntake.Core.Attachments;
using TipIntake.Infrastructure.Storage;
using TipIntake.IntegrationTests.Triage;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>
/// Issue 16, the staff download through the real worker on Azurite (docs/attachments.md, "Download (triage)"). The
/// worker's storage goes through a <see cref="StorageFaultProxy"/> that keeps the order of what it is asked — so the
/// audit write is seen on the wire before any read of the file's row or blob — and can fail the audit write. Files are
/// seeded as the processor's binding leaves them (<see cref="AttachmentSeeds"/>).
/// </summary>
public sealed class AttachmentApiTests : IAsyncLifetime
{
    private readonly List<string> _wire = [];
    private StorageFault _auditFails = null!;
    private TriageHost _host = null!;

    public async Task InitializeAsync()
    {
        var proxy = await StorageFaultProxy.StartAsync(await SharedAzurite.NewAccountAsync());
        proxy.Add(new StorageFault { Matches = Observe });
        _auditFails = proxy.Add(new StorageFault { Matches = StorageFault.WritesTo(StorageNames.EventsTable), Enabled = false });
        _host = await TriageHost.StartAsync(connectionString: proxy.ConnectionString, owned: proxy);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Every_download_is_audited_before_the_first_byte()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var file = RandomNumberGenerator.GetBytes((2 * ChunkLayout.SmallPlaintextBytes) + 1234);
        await SeedFileAsync(id, 1, file, "image/jpeg");
        Clear();

        using var response = await DownloadAsync(id, 1, "reader");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(file, body);
        var wire = Wire();
        var audited = wire.IndexOf("audit");
        Assert.True(audited >= 0, string.Join(", ", wire));
        Assert.True(wire.IndexOf("row") > audited && wire.IndexOf("blob") > audited, string.Join(", ", wire));
        Assert.DoesNotContain("row", wire[..audited]);
        Assert.DoesNotContain("blob", wire[..audited]);

        // The headers, exactly as the contract says (and the security headers every answer has).
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(file.Length, response.Content.Headers.ContentLength);
        Assert.Equal($"attachment; filename=\"tip-{id[..8]}-1.jpg\"", Single(response, "Content-Disposition"));
        Assert.Equal("nosniff", Single(response, "X-Content-Type-Options"));
        Assert.Equal("sandbox; default-src 'none'", Single(response, "Content-Security-Policy"));
        Assert.Equal("no-store", Single(response, "Cache-Control"));
        Assert.Equal("same-origin", Single(response, "Cross-Origin-Resource-Policy"));
        Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(file))}:", Single(response, "Repr-Digest"));

        var downloaded = Assert.Single(await _host.EventsAsync(id), e => e.GetProperty("action").GetString() == "attachment-downloaded");
        Assert.Equal(_host.ObjectId("reader"), downloaded.GetProperty("actor").GetString());
        Assert.Equal("1", downloaded.GetProperty("to").GetString());
    }

    [Fact]
    public async Task A_download_whose_audit_cannot_be_written_is_503_and_nothing_of_the_file_is_read_or_served()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        await SeedFileAsync(id, 1, RandomNumberGenerator.GetBytes(1000), "application/pdf");
        Clear();
        _auditFails.Enabled = true;

        using var response = await DownloadAsync(id, 1, "editor");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        _auditFails.Enabled = false;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:tipintake:problem:triage-unavailable", problem.GetProperty("type").GetString());
        Assert.False(response.Content.Headers.Contains("Content-Disposition"));
        Assert.True(_auditFails.Applied > 0);
        Assert.DoesNotContain("row", Wire());
        Assert.DoesNotContain("blob", Wire());
        Assert.DoesNotContain(await _host.EventsAsync(id), e => e.GetProperty("action").GetString() == "attachment-downloaded");
    }

    [Fact]
    public async Task A_tampered_blob_is_cut_short_of_its_length_and_its_failure_recorded_and_logged_without_ids()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var file = RandomNumberGenerator.GetBytes((2 * ChunkLayout.SmallPlaintextBytes) + 99);
        var upload = await SeedFileAsync(id, 1, file, "audio/mpeg", tamper: ciphertext => ciphertext[^7] ^= 0x20);

        using var response = await DownloadAsync(id, 1, "editor");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(file.Length, response.Content.Headers.ContentLength);

        // The first chunks were sent; the last failed its authentication, and the connection was cut: the client
        // never receives an ended answer it could take for the file.
        var received = new MemoryStream();
        await using (var body = await response.Content.ReadAsStreamAsync())
        {
            await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(received));
        }

        Assert.True(received.Length < file.Length, $"{received.Length} of {file.Length} bytes");
        Assert.Equal(file[..(int)received.Length], received.ToArray());

        await Eventually.HoldsAsync(
            async () => (await _host.EventsAsync(id)).Any(e => e.GetProperty("action").GetString() == "attachment-integrity-failed"),
            "the integrity failure in the tip's trail");
        var logged = await Eventually.ReturnsAsync(
            () => Task.FromResult(_host.Host.Logs.Lines.FirstOrDefault(line => line.Contains("failed its integrity check", StringComparison.Ordinal))),
            "the integrity failure's error line");
        Assert.StartsWith("Error", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(id, _host.Host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(upload, _host.Host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readers_may_download_others_may_not_and_what_cannot_be_served_is_a_specific_problem()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var file = RandomNumberGenerator.GetBytes(300);
        await SeedFileAsync(id, 1, file, "text/plain");
        await SeedFileAsync(id, 2, file, "image/png", state: AttachmentState.Awaited);
        await SeedFileAsync(id, 3, file, "image/png", keyId: "https://nowhere.vault.azure.net/keys/intake-dev/0123456789abcdef0123456789abcdef");
        await SeedFileAsync(id, 5, file, "image/png", tamper: ciphertext => ciphertext[10] ^= 0x01);

        using (var read = await DownloadAsync(id, 1, "reader"))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(file, await read.Content.ReadAsByteArrayAsync());
        }

        foreach (var (token, status, type) in new[] { ((string?)null, 401, "triage-unauthenticated"), ("forged", 401, "triage-unauthenticated"), ("norole", 403, "triage-forbidden") })
        {
            using var refused = await DownloadAsync(id, 1, token);
            await AssertProblemAsync(refused, status, type);
        }

        foreach (var (n, status, type) in new[] { ("4", 404, "attachment-not-found"), ("0", 404, "attachment-not-found"), ("01", 404, "attachment-not-found"), ("x", 404, "attachment-not-found") })
        {
            using var unknown = await _host.GetAsync($"api/triage/tips/{id}/attachments/{n}", "reader");
            await AssertProblemAsync(unknown, status, type);
        }

        using (var noTip = await DownloadAsync(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), 1, "reader"))
        {
            await AssertProblemAsync(noTip, 404, "triage-not-found");
        }

        using (var awaited = await DownloadAsync(id, 2, "reader"))
        {
            Assert.Equal("awaited", (await AssertProblemAsync(awaited, 409, "attachment-not-attached")).GetProperty("state").GetString());
        }

        using (var keyGone = await DownloadAsync(id, 3, "reader"))
        {
            await AssertProblemAsync(keyGone, 410, "attachment-key-unavailable");
        }

        // A file that fails its check before its first byte is a problem in place of the file, without the file's headers.
        using (var damaged = await DownloadAsync(id, 5, "reader"))
        {
            await AssertProblemAsync(damaged, 500, "attachment-integrity-failed");
            Assert.False(damaged.Headers.Contains("Repr-Digest"));
        }

        // Every attempt on the tip's files is in its trail, the refused ones too.
        var events = await _host.EventsAsync(id);
        var downloads = events.Where(e => e.GetProperty("action").GetString() == "attachment-downloaded").Select(e => e.GetProperty("to").GetString());
        Assert.Equal(["1", "4", "2", "3", "5"], downloads);
        Assert.Equal("5", Assert.Single(events, e => e.GetProperty("action").GetString() == "attachment-integrity-failed").GetProperty("to").GetString());
    }

    [Fact]
    public async Task The_tip_detail_lists_its_files_without_their_keys_or_upload_ids()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var file = RandomNumberGenerator.GetBytes(300);
        var upload = await SeedFileAsync(id, 1, file, "image/webp");
        await SeedFileAsync(id, 2, file, "application/pdf", state: AttachmentState.Mismatch);

        using var response = await _host.GetAsync($"api/triage/tips/{id}", "reader");
        var text = await response.Content.ReadAsStringAsync();
        var attachments = JsonDocument.Parse(text).RootElement.GetProperty("attachments");

        Assert.Equal(2, attachments.GetArrayLength());
        var first = attachments[0];
        Assert.Equal(
            """{"number":1,"state":"attached","type":"image/webp","size":300,"handling":"scrubbed","removed":["location","serial-number"],"sha256":"HASH"}""".Replace("HASH", Convert.ToHexStringLower(SHA256.HashData(file)), StringComparison.Ordinal),
            first.GetRawText());
        Assert.Equal("mismatch", attachments[1].GetProperty("state").GetString());
        Assert.DoesNotContain(upload, text, StringComparison.Ordinal);
        Assert.DoesNotContain("wrapped", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"key", text, StringComparison.Ordinal);
    }

    private Task<string> SeedFileAsync(
        string tipId, int number, byte[] file, string type, AttachmentState state = AttachmentState.Attached, string? keyId = null, Action<byte[]>? tamper = null) =>
        AttachmentSeeds.SeedFileAsync(_host.Host, tipId, number, file, type, state, keyId, tamper);

    /// <summary>The answer as soon as its headers are in: its body is read (or fails) by the caller.</summary>
    private Task<HttpResponseMessage> DownloadAsync(string tipId, int number, string? token) =>
        _host.SendAsync(HttpMethod.Get, $"api/triage/tips/{tipId}/attachments/{number}", token, completion: HttpCompletionOption.ResponseHeadersRead);

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string type)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:tipintake:problem:" + type, problem.GetProperty("type").GetString());
        Assert.False(response.Content.Headers.Contains("Content-Disposition"));
        return problem;
    }

    private static string Single(HttpResponseMessage response, string name) =>
        string.Join(", ", response.Headers.TryGetValues(name, out var values) ? values : response.Content.Headers.GetValues(name));

    /// <summary>What the worker asked storage, in order: the audit write, the file's row, the file's blob.</summary>
    private bool Observe(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        var resource = string.Join('/', (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1));
        var seen = StorageFault.WritesTo(StorageNames.EventsTable)(request) ? "audit"
            : resource.StartsWith(StorageNames.AttachmentsTable, StringComparison.Ordinal) ? "row"
            : resource.StartsWith(StorageNames.AttachmentsContainer + "/", StringComparison.Ordinal) ? "blob"
            : null;
        if (seen is not null)
        {
            lock (_wire)
            {
                _wire.Add(seen);
            }
        }

        return false;
    }

    private List<string> Wire()
    {
        lock (_wire)
        {
            return [.. _wire];
        }
    }

    private void Clear()
    {
        lock (_wire)
        {
            _wire.Clear();
        }
    }
}
