using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using TipIntake.Infrastructure.Keys;
using TipIntake.Infrastructure.Storage;
using TipIntake.IntegrationTests.Triage;
using Xunit.Abstractions;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// Issue 16 in the reporter's browser (docs/attachments.md, "How each 'Done when' item is tested"): a phone photo
/// attached to a Korean report is cleaned on the page (the note says what was removed), encrypted and uploaded, and the
/// report names it. The last step is the real one: the tip stored, its file attached by the processor, and a Reader's
/// download through the triage API (audited), whose bytes the tests check. A 30 MB file goes through a
/// <see cref="CuttingRelay"/> that drops every connection twice mid-upload.
/// </summary>
public sealed class AttachmentTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Narrative = "회령에서 온 세 사람이 월요일에 도문 구류소로 끌려갔습니다. 구류 통지서 사진을 보냅니다.";
    private const string ReportersFileName = "IMG_20261201_031522.jpg";

    // The shared byte budget of chunk uploads, raised so that it does not set the pace of the 30 MB upload.
    private static readonly Dictionary<string, string> Settings = new() { ["Attachments:MaxBytesPerSecond"] = "50000000" };

    private TriageHost _triage = null!;
    private IBrowser _browser = null!;

    private TestHost Host => _triage.Host;

    public async Task InitializeAsync()
    {
        _triage = await TriageHost.StartAsync(Settings);
        _browser = await Chromium.BrowserAsync();
    }

    public async Task DisposeAsync() => await _triage.DisposeAsync();

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
        Assert.Equal((96, 64), await SizeIfSamePixelsAsync(report.Session.Page, photo.Bytes, file));
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
        var resumeQuestions = CountResumeQuestions(page);
        var cut = true;
        await page.RouteAsync("**/api/uploads/chunks/*", route => cut ? route.AbortAsync("connectionreset") : route.ContinueAsync());
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
        Assert.True(resumeQuestions() > 0, "the page never asked what arrived");

        await page.Locator("#tip-form [type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("#receipt-code")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Single(Decrypt(await jwe.Task.WaitAsync(TimeSpan.FromSeconds(5)), out _).GetProperty("attachments").EnumerateArray());
        var file = await DownloadAttachedAsync(marker, 1);
        Assert.Equal(photo.Scan, file[IndexOf(file, [0xFF, 0xDA])..]);
        Assert.Empty(await session.CspViolationsAsync());
    }

    [Fact]
    public async Task Send_waits_for_an_unfinished_file_and_can_send_the_report_without_it()
    {
        var photo = await PhoneJpeg.MakeAsync();
        await using var session = await OpenAsync();
        var page = session.Page;
        var jwe = CaptureJwe(page);
        await page.RouteAsync("**/api/uploads/chunks/*", route => route.AbortAsync("connectionreset"));
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
        Assert.Equal(Narrative + " " + marker, (await Host.WaitForTipAsync(marker)).GetString("Narrative"));
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
        Assert.Equal(pdf, await DownloadAttachedAsync(marker, 1));
        Assert.Equal(heic, await DownloadAttachedAsync(marker, 2));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_30_MB_file_uploads_through_two_dropped_connections()
    {
        const int Megabyte = 1_000_000;
        var path = Path.Combine(Path.GetTempPath(), $"tipintake-30mb-{Guid.NewGuid():N}.mp3");
        try
        {
            byte[] expected;
            await using (var written = File.Create(path))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var block = new byte[Megabyte];
                for (var i = 0; i < 30; i++)
                {
                    RandomNumberGenerator.Fill(block);
                    hash.AppendData(block);
                    await written.WriteAsync(block);
                }

                expected = hash.GetHashAndReset();
            }

            await using var relay = CuttingRelay.Start(Host.Host.BaseAddress, 7L * Megabyte, 19L * Megabyte);
            await using var session = await BrowserSession.OpenAsync(_browser, new Uri(relay.BaseAddress, "?lang=en"), new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
                Locale = "en-GB",
            });
            var page = session.Page;
            var resumeQuestions = CountResumeQuestions(page);

            // Every asset the page needs is in before the first byte of the file goes up, so a cut only ever hits the
            // upload's own requests (which pause and resume): the marks are far past the page's few hundred KB.
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            Assert.True(relay.BytesUp < Megabyte, $"{relay.BytesUp} bytes up before the file");
            var marker = await FillAsync(page);

            var watch = Stopwatch.StartNew();
            await page.Locator("#attachment-input").SetInputFilesAsync(path);
            var item = page.Locator(".attachment");
            await Assertions.Expect(item).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 300_000 });
            Assert.Equal(2, relay.Cuts);

            // Chromium resends an idempotent PUT by itself when a reused connection is reset before any answer; the
            // relay's outage after each cut resets that resend too, so the form itself pauses and asks what arrived.
            output.WriteLine($"30 MB: done after {watch.Elapsed.TotalSeconds:F1} s, {relay.Cuts} cuts, {relay.Refused} connections refused in the outages, {resumeQuestions()} resume questions");
            Assert.True(resumeQuestions() >= 1, "The form never asked what arrived: the cuts did not reach it.");
            await page.Locator("#tip-form [type=submit]").ClickAsync();
            await Assertions.Expect(page.Locator("#receipt-code")).ToBeVisibleAsync(new() { Timeout = 60_000 });

            var file = await DownloadAttachedAsync(marker, 1, TimeSpan.FromMinutes(2));
            Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(SHA256.HashData(file)));
            Assert.Equal(2, relay.Cuts);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Counts the page asking what arrived of an upload (<c>GET /api/uploads</c>, the id in its header), as it does when
    /// it resumes; the <c>PUT</c> that creates the upload has the same address.
    /// </summary>
    private static Func<int> CountResumeQuestions(IPage page)
    {
        var questions = 0;
        page.Request += (_, request) =>
        {
            if (request.Method == "GET" && request.Url.EndsWith("/api/uploads", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref questions);
            }
        };
        return () => Volatile.Read(ref questions);
    }

    private Task<BrowserSession> OpenAsync() => BrowserSession.OpenAsync(_browser, new Uri(Host.Host.BaseAddress, "?lang=ko"), new BrowserNewContextOptions
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
    /// state, and the file as a Reader downloads it once the processor has attached it.
    /// </summary>
    private async Task<SentReport> ReportAsync(PhoneJpeg photo, bool keepOriginal)
    {
        var session = await OpenAsync();
        try
        {
            var page = session.Page;
            var jwe = CaptureJwe(page);
            var completions = new System.Collections.Concurrent.ConcurrentQueue<string>();
            page.Request += (_, request) =>
            {
                if (request.Method == "POST" && request.Url.EndsWith("/api/uploads/complete", StringComparison.Ordinal))
                {
                    completions.Enqueue(request.Headers[Attachments.UploadClient.UploadHeader.ToLowerInvariant()]);
                }
            };
            var marker = await FillAsync(page);
            await page.Locator("#attachment-input").SetInputFilesAsync(new FilePayload { Name = ReportersFileName, MimeType = "image/jpeg", Buffer = photo.Bytes });
            await Assertions.Expect(page.Locator(".attachment .attachment-name strong")).ToHaveTextAsync("photo-1.jpg");
            if (keepOriginal)
            {
                await page.Locator(".attachment input[type=checkbox]").CheckAsync();
            }

            await Assertions.Expect(page.Locator(".attachment")).ToHaveAttributeAsync("data-state", "done", new() { Timeout = 60_000 });

            // The upload as the server has it, asked before sending: once the processor binds the file the upload is gone.
            var uploadId = Assert.Single(completions.Distinct());
            JsonElement progress;
            using (var asked = await new Attachments.UploadClient(Host.Http).ProgressAsync(uploadId))
            {
                Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
                progress = await asked.Content.ReadFromJsonAsync<JsonElement>();
            }

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

            Assert.Equal(uploadId, upload);
            Assert.True(progress.GetProperty("complete").GetBoolean());
            Assert.Equal(entry.GetProperty("digest").GetString(), progress.GetProperty("digest").GetString());

            Assert.Equal(Narrative + " " + marker, (await Host.WaitForTipAsync(marker)).GetString("Narrative"));
            var file = await DownloadAttachedAsync(marker, 1);
            Assert.Empty(session.ConsoleErrors);
            Assert.Empty(await session.CspViolationsAsync());
            Assert.All(session.Requests, url => Assert.StartsWith(Host.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
            Assert.DoesNotContain(upload, Host.Logs.All, StringComparison.Ordinal);
            Assert.DoesNotContain(marker, Host.Logs.All, StringComparison.Ordinal);
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

    /// <summary>
    /// Waits for the tip with <paramref name="marker"/> and for its file <paramref name="number"/> to be attached by the
    /// processor, downloads it as a Reader through the triage API, and checks that the download is in the tip's trail.
    /// </summary>
    private async Task<byte[]> DownloadAttachedAsync(string marker, int number, TimeSpan? timeout = null)
    {
        var id = (await Host.WaitForTipAsync(marker)).RowKey;
        var rows = new TableServiceClient(Host.ConnectionString).GetTableClient(StorageNames.AttachmentsTable);
        var rowKey = number.ToString("00", System.Globalization.CultureInfo.InvariantCulture);
        await Eventually.HoldsAsync(
            async () => (await rows.GetEntityIfExistsAsync<TableEntity>(id, rowKey)) is { HasValue: true } row && row.Value!.GetString("State") == "attached",
            $"the tip's file {number} attached",
            timeout);

        using var response = await _triage.SendAsync(
            HttpMethod.Get, $"api/triage/tips/{id}/attachments/{number}", "reader", completion: HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = await response.Content.ReadAsByteArrayAsync();
        Assert.Contains(
            await _triage.EventsAsync(id),
            e => e.GetProperty("action").GetString() == "attachment-downloaded" && e.GetProperty("to").GetString() == number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return file;
    }

    /// <summary>
    /// Decodes both JPEGs in Chromium (createImageBitmap, drawn on a canvas) and returns the first one's size when their
    /// pixels are identical, or (-1, -1) when they differ.
    /// </summary>
    private static async Task<(int Width, int Height)> SizeIfSamePixelsAsync(IPage page, byte[] original, byte[] cleaned)
    {
        var size = await page.EvaluateAsync<int[]>(
            """
            async ([first, second]) => {
              const pixels = async (base64) => {
                const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
                const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
                const context = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
                context.drawImage(bitmap, 0, 0);
                return { width: bitmap.width, height: bitmap.height, data: context.getImageData(0, 0, bitmap.width, bitmap.height).data };
              };
              const [a, b] = [await pixels(first), await pixels(second)];
              const same = a.width === b.width && a.height === b.height && a.data.every((value, i) => value === b.data[i]);
              return same ? [a.width, a.height] : [-1, -1];
            }
            """,
            new[] { Convert.ToBase64String(original), Convert.ToBase64String(cleaned) });
        return (size[0], size[1]);
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
