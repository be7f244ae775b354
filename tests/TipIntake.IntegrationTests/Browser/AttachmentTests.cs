using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using TipIntake.Core.Attachments;
using TipIntake.Infrastructure.Keys;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// Issue 16 in the reporter's browser (docs/attachments.md, "How each 'Done when' item is tested"): a phone photo
/// attached to a Korean report is cleaned on the page (the note says what was removed), encrypted and uploaded, and the
/// report names it. Until the triage download exists, the last step reads the staged blob and decrypts it here with
/// the development key the test host uses, through <see cref="AttachmentDecryptor"/>; the lead switches it to the
/// download once that is merged.
/// </summary>
public sealed class AttachmentTests : IAsyncLifetime
{
    private const string Narrative = "회령에서 온 세 사람이 월요일에 도문 구류소로 끌려갔습니다. 구류 통지서 사진을 보냅니다.";
    private const string ReportersFileName = "IMG_20261201_031522.jpg";

    private TestHost _host = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync();
        _browser = await Chromium.BrowserAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_photo_attached_to_a_Korean_report_is_cleaned_and_downloads_with_the_same_scan_data()
    {
        var photo = await PhoneJpeg.MakeAsync();
        await using var report = await ReportAsync(photo, keepOriginal: false);

        Assert.Contains(Korean("attachments.code.location"), report.Note, StringComparison.Ordinal);
        Assert.Contains(Korean("attachments.code.serial-number"), report.Note, StringComparison.Ordinal);
        Assert.Equal("scrubbed", report.Entry.GetProperty("handling").GetString());
        var removed = report.Entry.GetProperty("removed").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("location", removed);
        Assert.Contains("serial-number", removed);

        var file = report.File;
        foreach (var marker in new[] { "Exif\0\0", "http://ns.adobe.com", "Photoshop 3.0", "8BIM" })
        {
            Assert.False(Contains(file, Encoding.ASCII.GetBytes(marker)), $"\"{marker.TrimEnd('\0')}\" is in the stored file");
        }

        foreach (var secret in photo.Secrets)
        {
            Assert.False(Contains(file, Encoding.ASCII.GetBytes(secret)), $"{secret} is in the stored file");
        }

        var sos = IndexOf(file, [0xFF, 0xDA]);
        Assert.True(sos > 0);
        Assert.Equal(photo.Scan, file[sos..]);
        Assert.Equal(SHA256.HashData(file), Convert.FromBase64String(ToBase64(report.Entry.GetProperty("sha256").GetString()!)));
    }

    [Fact]
    public async Task A_photo_kept_as_the_original_is_stored_byte_for_byte_and_the_page_said_what_it_reveals()
    {
        var photo = await PhoneJpeg.MakeAsync();
        await using var report = await ReportAsync(photo, keepOriginal: true);

        Assert.Contains(Korean("attachments.code.location"), report.Warning, StringComparison.Ordinal);
        Assert.Contains(Korean("attachments.code.serial-number"), report.Warning, StringComparison.Ordinal);
        Assert.Equal("original", report.Entry.GetProperty("handling").GetString());
        Assert.Empty(report.Entry.GetProperty("removed").EnumerateArray());
        Assert.Equal(photo.Bytes, report.File);
    }

    [Fact]
    public async Task A_dropped_upload_pauses_then_resumes_by_itself_asking_what_arrived()
    {
        var photo = await PhoneJpeg.MakeAsync();
        await using var session = await OpenAsync();
        var page = session.Page;
        var jwe = CaptureJwe(page);
        var cut = true;
        await page.RouteAsync("**/api/uploads/*/chunks/*", route => cut ? route.AbortAsync("connectionreset") : route.ContinueAsync());
        var marker = await FillAsync(page);

        await page.Locator("#attachment-input").SetInputFilesAsync(new FilePayload { Name = ReportersFileName, MimeType = "image/jpeg", Buffer = photo.Bytes });

        var item = page.Locator(".attachment");
        await Assertions.Expect(item).ToHaveAttributeAsync("data-state", "paused", new() { Timeout = 30_000 });
        await Assertions.Expect(item.Locator(".attachment-state")).ToHaveTextAsync(Korean("attachments.state.paused"));
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
        cut = false;
        await Assertions.Expect(item).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        Assert.Contains(session.Requests, url => url.Contains("/api/uploads/", StringComparison.Ordinal) && !url.Contains("/chunks/", StringComparison.Ordinal)
            && !url.EndsWith("/complete", StringComparison.Ordinal));

        await page.Locator("#tip-form [type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#receipt-code")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var entry = Decrypt(await jwe.Task.WaitAsync(TimeSpan.FromSeconds(5)), out _).GetProperty("attachments").EnumerateArray().Single();
        var file = await DecryptStagedAsync(entry);
        Assert.Equal(photo.Scan, file[IndexOf(file, [0xFF, 0xDA])..]);
        await _host.WaitForTipAsync(marker);
        Assert.Empty(await session.CspViolationsAsync());
    }

    [Fact]
    public async Task Send_waits_for_an_unfinished_file_and_can_send_the_report_without_it()
    {
        var photo = await PhoneJpeg.MakeAsync();
        await using var session = await OpenAsync();
        var page = session.Page;
        var jwe = CaptureJwe(page);
        await page.RouteAsync("**/api/uploads/*/chunks/*", route => route.AbortAsync("connectionreset"));
        var marker = await FillAsync(page);
        await page.Locator("#attachment-input").SetInputFilesAsync(new FilePayload { Name = ReportersFileName, MimeType = "image/jpeg", Buffer = photo.Bytes });
        await Assertions.Expect(page.Locator(".attachment")).ToHaveAttributeAsync("data-state", "paused", new() { Timeout = 30_000 });

        await page.Locator("#tip-form [type=submit]").ClickAsync();

        var wait = page.Locator("#attachment-wait");
        await Assertions.Expect(wait).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#receipt-code")).Not.ToBeVisibleAsync();
        await page.Locator("#attachment-send-now").ClickAsync();
        await Assertions.Expect(page.Locator("#receipt-code")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var tip = Decrypt(await jwe.Task.WaitAsync(TimeSpan.FromSeconds(5)), out _);
        Assert.False(tip.TryGetProperty("attachments", out _));
        Assert.Equal(Narrative + " " + marker, (await _host.WaitForTipAsync(marker)).GetString("Narrative"));
    }

    [Fact]
    public async Task A_PDF_goes_as_it_is_and_a_picture_the_scrubber_cannot_read_waits_for_the_reporters_choice()
    {
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Author (SecretPdfAuthor) >> endobj\ntrailer << >>\n%%EOF\n");
        var heic = RandomNumberGenerator.GetBytes(3000);
        await using var session = await OpenAsync();
        var page = session.Page;
        var jwe = CaptureJwe(page);
        var marker = await FillAsync(page);

        await page.Locator("#attachment-input").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = "Yanji statement.pdf", MimeType = "application/pdf", Buffer = pdf },
            new FilePayload { Name = "IMG_0042.HEIC", MimeType = "image/heic", Buffer = heic },
        });

        var document = page.Locator(".attachment").Nth(0);
        var picture = page.Locator(".attachment").Nth(1);
        await Assertions.Expect(document.Locator(".help")).ToHaveTextAsync(Korean("attachments.unchecked.pdf"));
        await Assertions.Expect(picture).ToHaveAttributeAsync("data-state", "choice");
        await Assertions.Expect(picture.Locator(".help")).ToHaveTextAsync(Korean("attachments.refused"));
        await picture.GetByRole(AriaRole.Button, new() { Name = Korean("attachments.reencode") }).ClickAsync();
        await Assertions.Expect(picture.Locator(".warning:visible")).ToHaveTextAsync(Korean("attachments.cannotDecode"));
        await picture.GetByRole(AriaRole.Button, new() { Name = Korean("attachments.sendOriginal") }).ClickAsync();
        await Assertions.Expect(document).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        await Assertions.Expect(picture).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });
        await page.Locator("#tip-form [type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#receipt-code")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var entries = Decrypt(await jwe.Task.WaitAsync(TimeSpan.FromSeconds(5)), out _).GetProperty("attachments").EnumerateArray().ToList();
        Assert.Equal(["document-1.pdf", "photo-2.heic"], entries.Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(["application/pdf", "image/heic"], entries.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(["unchecked", "original"], entries.Select(e => e.GetProperty("handling").GetString()));
        Assert.All(entries, e => Assert.Empty(e.GetProperty("removed").EnumerateArray()));
        Assert.Equal(pdf, await DecryptStagedAsync(entries[0]));
        Assert.Equal(heic, await DecryptStagedAsync(entries[1]));
        await _host.WaitForTipAsync(marker);
    }

    private Task<BrowserSession> OpenAsync() => BrowserSession.OpenAsync(_browser, new Uri(_host.Host.BaseAddress, "?lang=ko"), new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 360, Height = 780 },
        Locale = "ko-KR",
    });

    /// <summary>The JWE the page posts to /api/tips.</summary>
    private static TaskCompletionSource<string> CaptureJwe(IPage page)
    {
        var jwe = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.EndsWith("/api/tips", StringComparison.Ordinal) && request.PostData is { } body)
            {
                jwe.TrySetResult(body);
            }
        };
        return jwe;
    }

    /// <summary>Fills the report's required fields with a fresh marker in the narrative; returns the marker.</summary>
    private static async Task<string> FillAsync(IPage page)
    {
        var marker = TestTips.NewMarker();
        await page.Locator("[name=category][value='detention']").CheckAsync();
        await page.Locator("[name=narrative]").FillAsync($"{Narrative} {marker}");
        await page.Locator("[name=urgency][value='imminent']").CheckAsync();
        await Assertions.Expect(page.Locator("#attachments")).ToBeVisibleAsync();
        return marker;
    }

    /// <summary>
    /// Fills and sends a Korean report with the photo attached (kept as the original or not), and reads back everything
    /// the tests assert: the tip's entry (from the JWE the page posted, decrypted with the development key), the upload's
    /// state, and the stored file decrypted from <c>attachments-staging</c>.
    /// </summary>
    private async Task<SentReport> ReportAsync(PhoneJpeg photo, bool keepOriginal)
    {
        var session = await OpenAsync();
        try
        {
            var page = session.Page;
            var jwe = CaptureJwe(page);
            var marker = await FillAsync(page);
            await page.Locator("#attachment-input").SetInputFilesAsync(new FilePayload { Name = ReportersFileName, MimeType = "image/jpeg", Buffer = photo.Bytes });
            await Assertions.Expect(page.Locator(".attachment .attachment-name strong")).ToHaveTextAsync("photo-1.jpg");
            if (keepOriginal)
            {
                await page.Locator(".attachment input[type=checkbox]").CheckAsync();
            }

            await Assertions.Expect(page.Locator(".attachment")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });

            // What the page said of the file, read before sending: the form is gone once the receipt shows.
            var note = await page.Locator(".attachment .help").InnerTextAsync();
            var warnings = page.Locator(".attachment .warning:visible");
            var warning = await warnings.CountAsync() > 0 ? await warnings.First.InnerTextAsync() : "";
            await page.Locator("#tip-form [type=submit]").ClickAsync();
            await Assertions.Expect(page.Locator("#receipt-code")).ToBeVisibleAsync(new() { Timeout = 30_000 });

            var tip = Decrypt(await jwe.Task.WaitAsync(TimeSpan.FromSeconds(5)), out var kid);
            Assert.DoesNotContain(ReportersFileName, tip.GetRawText(), StringComparison.Ordinal);
            var entry = tip.GetProperty("attachments").EnumerateArray().Single();
            Assert.Equal("photo-1.jpg", entry.GetProperty("name").GetString());
            Assert.Equal("image/jpeg", entry.GetProperty("type").GetString());
            Assert.Equal(kid, entry.GetProperty("key").GetProperty("kid").GetString());
            var upload = entry.GetProperty("upload").GetString()!;

            using (var progress = await _host.Http.GetAsync(new Uri($"api/uploads/{upload}", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, progress.StatusCode);
                var body = await progress.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(body.GetProperty("complete").GetBoolean());
                Assert.Equal(entry.GetProperty("digest").GetString(), body.GetProperty("digest").GetString());
            }

            Assert.Equal(Narrative + " " + marker, (await _host.WaitForTipAsync(marker)).GetString("Narrative"));
            var file = await DecryptStagedAsync(entry);
            Assert.Empty(session.ConsoleErrors);
            Assert.Empty(await session.CspViolationsAsync());
            Assert.All(session.Requests, url => Assert.StartsWith(_host.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
            Assert.DoesNotContain(upload, _host.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain(marker, _host.Logs.All, StringComparison.Ordinal);
            return new SentReport(session, entry.Clone(), file, note, warning);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>The JWE's plaintext, the tip, decrypted with the development key; <paramref name="kid"/> from its header.</summary>
    private static JsonElement Decrypt(string jwe, out string kid)
    {
        using var rsa = DevelopmentKey();
        kid = (string)Jose.JWT.Headers(jwe)["kid"];
        using var tip = JsonDocument.Parse(Jose.JWT.Decode(jwe, rsa));
        return tip.RootElement.Clone();
    }

    /// <summary>The staged upload's blob, decrypted and checked as the download will: K unwrapped here with the development key.</summary>
    private async Task<byte[]> DecryptStagedAsync(JsonElement entry)
    {
        using var rsa = DevelopmentKey();
        var key = rsa.Decrypt(Jose.Base64Url.Decode(entry.GetProperty("key").GetProperty("ek").GetString()), RSAEncryptionPadding.OaepSHA256);
        var upload = entry.GetProperty("upload").GetString()!;
        var blob = new BlobServiceClient(_host.ConnectionString).GetBlobContainerClient(StorageNames.AttachmentsStagingContainer).GetBlobClient(upload);
        using var stored = new MemoryStream((await blob.DownloadContentAsync()).Value.Content.ToArray());
        using var plaintext = new MemoryStream();
        var file = new StoredAttachment(
            upload,
            entry.GetProperty("chunks").GetInt32(),
            entry.GetProperty("chunkBytes").GetInt32(),
            entry.GetProperty("size").GetInt64(),
            Jose.Base64Url.Decode(entry.GetProperty("digest").GetString()),
            Jose.Base64Url.Decode(entry.GetProperty("sha256").GetString()));
        Assert.Equal(AttachmentIntegrityFault.None, await AttachmentDecryptor.DecryptAsync(stored, plaintext, file, key, default));
        CryptographicOperations.ZeroMemory(key);
        return plaintext.ToArray();
    }

    private static RSA DevelopmentKey()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(Path.Combine(TestHost.KeyFolder, LocalDevelopmentKey.FileName)));
        return rsa;
    }

    private static string Korean(string key)
    {
        var path = Path.Combine(LocalState.FindRepositoryRoot()!, "functions", "TipIntake.Functions", "Web", "i18n", "ko.json");
        using var texts = JsonDocument.Parse(File.ReadAllText(path));
        return texts.RootElement.GetProperty(key).GetString()!;
    }

    private static string ToBase64(string base64Url) => Convert.ToBase64String(Jose.Base64Url.Decode(base64Url));

    private static bool Contains(byte[] haystack, byte[] needle) => IndexOf(haystack, needle) >= 0;

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);

    private sealed record SentReport(BrowserSession Session, JsonElement Entry, byte[] File, string Note, string Warning) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Session.DisposeAsync();
    }

    /// <summary>The photo, made by attachment-photo.mjs with the scrubber suite's builders.</summary>
    private sealed record PhoneJpeg(byte[] Bytes, byte[] Scan, IReadOnlyList<string> Secrets)
    {
        public static async Task<PhoneJpeg> MakeAsync()
        {
            var script = Path.Combine(LocalState.FindRepositoryRoot()!, "tests", "TipIntake.IntegrationTests", "Browser", "attachment-photo.mjs");
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(script);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await errors);
            using var made = JsonDocument.Parse(await output);
            var root = made.RootElement;
            return new PhoneJpeg(
                Convert.FromBase64String(root.GetProperty("photo").GetString()!),
                Convert.FromBase64String(root.GetProperty("scan").GetString()!),
                [.. root.GetProperty("secrets").EnumerateArray().Select(s => s.GetString()!)]);
        }
    }
}
