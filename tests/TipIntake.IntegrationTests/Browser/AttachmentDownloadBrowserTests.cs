using System.Security.Cryptography;
using Microsoft.Playwright;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Attachments;
using TipIntake.Core.Processing;
using TipIntake.Core.Triage;
using TipIntake.IntegrationTests.Attachments;
using TipIntake.IntegrationTests.Triage;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// The triage page's files in Chromium (docs/attachments.md, "Download (triage)"): a Reader sees each file listed with
/// its SHA-256 in groups of four, downloads it with the token, and the page says "verified" and saves exactly the
/// reporter's bytes under the server's neutral name; a file whose stored ciphertext fails its check is cut off and not
/// saved. Nothing of a file is ever rendered, and the page's CSP is unchanged.
/// </summary>
public sealed class AttachmentDownloadBrowserTests : IAsyncLifetime
{
    private TriageHost _host = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _host = await TriageHost.StartAsync();
        _browser = await Chromium.BrowserAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_reader_downloads_a_file_that_the_page_verifies_against_its_listed_SHA_256_and_saves()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var file = RandomNumberGenerator.GetBytes(ChunkLayout.SmallPlaintextBytes + 4321);
        var hex = Convert.ToHexStringLower(SHA256.HashData(file));
        await AttachmentSeeds.SeedFileAsync(_host.Host, id, 1, file, "image/jpeg");
        await AttachmentSeeds.SeedFileAsync(_host.Host, id, 2, file, "application/pdf", tamper: ciphertext => ciphertext[^3] ^= 0x08);
        await AttachmentSeeds.SeedFileAsync(_host.Host, id, 3, file, "audio/mpeg", state: AttachmentState.Awaited);

        await using var session = await BrowserSession.OpenAsync(
            _browser,
            new Uri(_host.Host.Host.BaseAddress, "triage?lang=en"),
            new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, Locale = "en-GB", AcceptDownloads = true });
        var page = session.Page;
        await page.Locator("#signin-dev-reader").ClickAsync();
        var row = page.Locator($"#tip-list button[data-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await row.ClickAsync();

        var first = page.Locator("#file-list li[data-number='1']");
        await Assertions.Expect(page.Locator("#file-list li")).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        await Assertions.Expect(first.Locator(".file-sha256")).ToHaveTextAsync(string.Join(' ', hex.Chunk(4).Select(group => new string(group))));
        await Assertions.Expect(first).ToContainTextAsync("File 1 · image/jpeg");
        await Assertions.Expect(first).ToContainTextAsync("cleaned of its metadata before encryption");
        await Assertions.Expect(first).ToContainTextAsync("location, serial number");
        await Assertions.Expect(page.Locator("#file-list li[data-number='3']")).ToContainTextAsync("awaited");
        Assert.Equal(0, await page.Locator("#file-list li[data-number='3'] button").CountAsync());

        var download = await page.RunAndWaitForDownloadAsync(() => first.Locator(".file-download").ClickAsync());
        await Assertions.Expect(first.Locator(".file-status")).ToContainTextAsync("Verified");
        Assert.Equal($"tip-{id[..8]}-1.jpg", download.SuggestedFilename);
        var saved = Path.Combine(Path.GetTempPath(), $"tipintake-download-{Guid.NewGuid():N}");
        try
        {
            await download.SaveAsAsync(saved);
            Assert.Equal(file, await File.ReadAllBytesAsync(saved));
        }
        finally
        {
            File.Delete(saved);
        }

        // Nothing of a file is rendered, and the page's own policy held.
        Assert.Equal(0, await page.Locator("#detail img, #detail audio, #detail video, #detail embed, #detail object, #detail iframe").CountAsync());
        Assert.Empty(await session.CspViolationsAsync());
        Assert.Empty(session.ConsoleErrors);

        // A damaged file: the server cuts the answer short, and the page saves nothing.
        var second = page.Locator("#file-list li[data-number='2']");
        await second.Locator(".file-download").ClickAsync();
        await Assertions.Expect(second.Locator(".file-status")).ToContainTextAsync("Not saved: the download was cut off", new() { Timeout = 30_000 });
        Assert.DoesNotContain("Verified", await second.Locator(".file-status").InnerTextAsync(), StringComparison.Ordinal);
    }

    /// <summary>A file quarantined by the processor shows in the tip's trail by its number and the reason in words, in each language.</summary>
    [Theory]
    [InlineData("en", "File quarantined", "File 2: not the file the report named", "All files: over the report's limit")]
    [InlineData("ko", "파일 격리됨", "파일 2: 제보가 지정한 파일이 아님", "모든 파일: 제보의 한도 초과")]
    public async Task A_quarantined_file_is_in_the_trail_by_its_number_and_reason(string lang, string action, string file, string member)
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var audit = _host.Host.App.GetRequiredService<IAuditTrail>();
        var hour = DateTimeOffset.UtcNow.AddHours(-1);
        await audit.AddEventAsync(AttachmentBinder.QuarantinedEvent(id, 2, QuarantineReason.AttachmentMismatch, hour), default);
        await audit.AddEventAsync(AttachmentBinder.QuarantinedEvent(id, null, QuarantineReason.AttachmentOverLimit, hour), default);

        await using var session = await BrowserSession.OpenAsync(
            _browser,
            new Uri(_host.Host.Host.BaseAddress, $"triage?lang={lang}"),
            new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = session.Page;
        await page.Locator("#signin-dev-reader").ClickAsync();
        var row = page.Locator($"#tip-list button[data-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await row.ClickAsync();

        var trail = page.Locator("#event-list");
        await Assertions.Expect(trail).ToContainTextAsync(file, new() { Timeout = 30_000 });
        await Assertions.Expect(trail).ToContainTextAsync(member);
        await Assertions.Expect(trail).ToContainTextAsync(action);
        await Assertions.Expect(trail).ToContainTextAsync("processor");
        Assert.Empty(session.ConsoleErrors);
    }
}
