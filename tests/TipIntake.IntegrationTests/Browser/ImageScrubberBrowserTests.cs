using System.Text.Json;
using Microsoft.Playwright;
using TipIntake.Infrastructure.Keys;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// The image scrubber (<c>Web/assets/scrub.js</c>, the app's source, which the app embeds unchanged) in Chromium, under the form's strict CSP:
/// photos that Chromium itself encodes (JPEG, PNG, WebP) are dressed with the metadata phones write (GPS, camera
/// serial, XMP, IPTC, text chunks, an appended gain map), cleaned, and decoded again by Chromium. The decoded pixels
/// must be identical, the compressed image data identical byte for byte, and none of the planted values left.
/// The Node suite (<c>ScrubScriptTests</c>) covers structure, refusals and fuzzing; this covers decoders.
/// </summary>
public sealed class ImageScrubberBrowserTests
{
    private const string Origin = "https://scrub.test";
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    [Theory]
    [InlineData("jpeg")]
    [InlineData("png")]
    [InlineData("webp")]
    public async Task A_photo_encoded_by_Chromium_decodes_to_the_same_pixels_after_scrubbing_and_keeps_nothing_planted(string format)
    {
        await using var page = await HarnessPage.OpenAsync();

        using var result = await page.EvaluateAsync($"() => window.scrubHarness.runCase('{format}')");
        var root = result.RootElement;

        Assert.True(root.GetProperty("ok").GetBoolean(), root.ToString());
        Assert.NotEmpty(root.GetProperty("secretsBefore").EnumerateArray());
        Assert.Empty(root.GetProperty("secretsAfter").EnumerateArray());
        Assert.True(root.GetProperty("scanIdentical").GetBoolean(), "the compressed image data changed");
        Assert.Contains("location", Strings(root.GetProperty("removed")));
        Assert.Contains("xmp", Strings(root.GetProperty("removed")));

        var scrubbed = root.GetProperty("scrubbed");
        Assert.True(Same(root.GetProperty("dressed"), scrubbed), root.ToString());
        Assert.True(Same(root.GetProperty("expected"), scrubbed), root.ToString());
        Assert.Empty(page.Errors);
        Assert.Empty(await page.CspViolationsAsync());
    }

    [Fact]
    public async Task A_rotated_phone_photo_still_shows_upright_after_scrubbing()
    {
        await using var page = await HarnessPage.OpenAsync();

        using var result = await page.EvaluateAsync("() => window.scrubHarness.runCase('jpeg')");
        var root = result.RootElement;

        Assert.Equal(["orientation", "colour-profile"], Strings(root.GetProperty("kept")));
        Assert.Equal(320, root.GetProperty("plain").GetProperty("width").GetInt32());
        var upright = root.GetProperty("scrubbed");
        Assert.Equal(240, upright.GetProperty("width").GetInt32());
        Assert.Equal(320, upright.GetProperty("height").GetInt32());
    }

    [Fact]
    public async Task The_test_image_builders_make_files_Chromium_decodes_as_intended()
    {
        await using var page = await HarnessPage.OpenAsync();

        using var result = await page.EvaluateAsync("() => window.scrubHarness.builtFiles()");
        var root = result.RootElement;

        // A DC-only block is flat grey 128 + dc: the builder's JPEG is real, not merely well formed.
        Assert.Equal([100, 100, 100, 255], Numbers(root.GetProperty("jpegLeft")));
        Assert.Equal([178, 178, 178, 255], Numbers(root.GetProperty("jpegRight")));
        Assert.Equal([0, 0, 30, 255, 10, 0, 30, 255, 20, 0, 30, 255, 30, 0, 30, 255, 0, 20, 30, 255, 10, 20, 30, 255, 20, 20, 30, 255, 30, 20, 30, 255], Numbers(root.GetProperty("png")));
    }

    private static bool Same(JsonElement a, JsonElement b) =>
        a.GetProperty("sha256").GetString() == b.GetProperty("sha256").GetString()
        && a.GetProperty("width").GetInt32() == b.GetProperty("width").GetInt32();

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static int[] Numbers(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];

    /// <summary>A page on a made-up origin whose few files are served from the app and the repository.</summary>
    private sealed class HarnessPage : IAsyncDisposable
    {
        private readonly IBrowserContext _context;

        private HarnessPage(IBrowserContext context, IPage page)
        {
            _context = context;
            Page = page;
            page.PageError += (_, error) => Errors.Add(error);
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    Errors.Add(message.Text);
                }
            };
        }

        public IPage Page { get; }

        public List<string> Errors { get; } = [];

        public static async Task<HarnessPage> OpenAsync()
        {
            var browser = await Chromium.BrowserAsync();
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
            var repository = LocalState.FindRepositoryRoot() ?? throw new InvalidOperationException("repository root not found");
            var files = new Dictionary<string, (string Type, string Body)>(StringComparer.Ordinal)
            {
                ["/"] = ("text/html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><script type=\"module\" src=\"/scrub-harness.mjs\"></script></head><body></body></html>"),
                ["/scrub.js"] = ("text/javascript", File.ReadAllText(Path.Combine(repository, "functions", "TipIntake.Functions", "Web", "assets", "scrub.js"))),
                ["/images.mjs"] = ("text/javascript", File.ReadAllText(Path.Combine(repository, "tests", "TipIntake.Functions.Tests", "Web", "Scrub", "images.mjs"))),
                ["/scrub-harness.mjs"] = ("text/javascript", File.ReadAllText(Path.Combine(repository, "tests", "TipIntake.IntegrationTests", "Browser", "scrub-harness.mjs"))),
            };
            await context.RouteAsync(Origin + "/**", async route =>
            {
                var path = new Uri(route.Request.Url).AbsolutePath;
                if (files.TryGetValue(path, out var file))
                {
                    await route.FulfillAsync(new RouteFulfillOptions
                    {
                        Status = 200,
                        ContentType = file.Type,
                        Body = file.Body,
                        Headers = new Dictionary<string, string> { ["Content-Security-Policy"] = Csp, ["X-Content-Type-Options"] = "nosniff" },
                    });
                }
                else
                {
                    await route.FulfillAsync(new RouteFulfillOptions { Status = 404 });
                }
            });
            var page = new HarnessPage(context, await context.NewPageAsync());
            await page.Page.AddInitScriptAsync(
                "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));");
            await page.Page.GotoAsync(Origin + "/");
            await page.Page.WaitForSelectorAsync("body[data-ready='true']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 15_000 });
            return page;
        }

        public async Task<JsonDocument> EvaluateAsync(string script)
        {
            var element = await Page.EvaluateAsync<JsonElement>(script);
            return JsonDocument.Parse(element.GetRawText());
        }

        public async Task<IReadOnlyList<string>> CspViolationsAsync() =>
            await Page.EvaluateAsync<string[]>("() => window.__csp || []");

        public async ValueTask DisposeAsync() => await _context.CloseAsync();
    }
}
