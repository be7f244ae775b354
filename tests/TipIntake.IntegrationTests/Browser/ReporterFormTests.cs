using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using TipIntake.Infrastructure.Keys;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>The reporter's form in a real browser (Debian's Chromium), against the local host and Azurite.</summary>
public sealed class ReporterFormTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Narratives = new()
    {
        ["en"] = "Three people from Hoeryong were taken to the Tumen detention centre on Monday.",
        ["ko"] = "회령에서 온 세 사람이 월요일에 도문 구류소로 끌려갔습니다. 곧 북송될 것 같습니다.",
        ["zh-Hans"] = "三名来自会宁的人周一被带到图们拘留所，可能很快被遣返。",
    };

    private static readonly Dictionary<string, string> Regions = new()
    {
        ["en"] = "Jilin",
        ["ko"] = "길림성 연변",
        ["zh-Hans"] = "吉林省延边",
    };

    private TestHost _host = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync();
        _browser = await Chromium.BrowserAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    [InlineData("zh-Hans")]
    public async Task Tip_typed_in_the_browser_is_encrypted_there_and_stored_exactly_as_typed(string lang)
    {
        await using var session = await OpenAsync(lang);
        var marker = TestTips.NewMarker();
        var narrative = $"{Narratives[lang]} {marker}";
        await FillValidAsync(session.Page, narrative, lang);

        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();

        var receipt = session.Page.Locator("#receipt-code");
        await Assertions.Expect(receipt).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", (await receipt.InnerTextAsync()).Trim());
        var tip = await _host.WaitForTipAsync(marker);
        Assert.Equal(narrative, tip.GetString("Narrative"));
        Assert.Equal(Regions[lang], tip.GetString("Region"));
        Assert.Equal("CN", tip.GetString("Country"));
        Assert.Equal(3, tip.GetInt32("PeopleCount"));

        // The page talked to its own origin only, kept nothing, and put nothing in the URL.
        Assert.All(session.Requests, url => Assert.StartsWith(_host.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
        Assert.Contains(session.Requests, url => url.EndsWith("/api/tips", StringComparison.Ordinal));
        Assert.Equal(0, await session.Page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"));
        Assert.Equal("", await session.Page.EvaluateAsync<string>("() => document.cookie"));
        Assert.DoesNotContain(marker, session.Page.Url, StringComparison.Ordinal);
        Assert.Empty(session.ConsoleErrors);
        Assert.Empty(await session.CspViolationsAsync());
        Assert.DoesNotContain(marker, _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_is_served_with_a_strict_content_security_policy_and_works_under_it()
    {
        using var response = await _host.Http.GetAsync(new Uri("/", UriKind.Relative));
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        foreach (var directive in new[] { "default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'" })
        {
            Assert.Contains(directive, csp, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("camera=()", response.Headers.GetValues("Permissions-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));

        await using var session = await OpenAsync("en");
        await session.Page.Locator("[name=narrative]").FillAsync("checking the page under its CSP");
        Assert.Empty(session.ConsoleErrors);
        Assert.Empty(await session.CspViolationsAsync());
        Assert.All(session.Requests, url => Assert.StartsWith(_host.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/assets/app.js")]
    [InlineData("/assets/app.css")]
    [InlineData("/assets/stamp-worker.js")]
    [InlineData("/assets/stamp.js")]
    [InlineData("/assets/favicon.svg")]
    [InlineData("/favicon.ico")]
    [InlineData("/assets/triage.js")]
    public async Task No_asset_is_kept_in_the_browser_cache_of_a_device_that_may_be_seized(string path)
    {
        using var response = await _host.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Assets_have_etags_and_compression()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/assets/app.js", UriKind.Relative));
        request.Headers.AcceptEncoding.ParseAdd("br, gzip");
        using var response = await _host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("br", response.Content.Headers.ContentEncoding.Single());
        Assert.StartsWith("text/javascript", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var etag = response.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/assets/app.js", UriKind.Relative));
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await _host.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Jwe_made_by_the_jose_npm_package_is_accepted_and_stored()
    {
        var marker = TestTips.NewMarker();
        var tipFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tipFile, TestTips.ValidTipJson($"독립 클라이언트 {marker}"));
        string jwe;
        try
        {
            jwe = await RunNodeAsync(Path.Combine(LocalState.FindRepositoryRoot()!, "tests", "TipIntake.IntegrationTests", "Browser", "jose-client.mjs"),
                _host.Host.BaseAddress.ToString(), tipFile);
        }
        finally
        {
            File.Delete(tipFile);
        }

        using var response = await TestTips.PostAsync(_host.Http, jwe);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"독립 클라이언트 {marker}", (await _host.WaitForTipAsync(marker)).GetString("Narrative"));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    [InlineData("zh-Hans")]
    public async Task Axe_finds_no_serious_or_critical_violation(string lang)
    {
        await using var session = await OpenAsync(lang);

        var results = await session.Page.RunAxe();

        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
        Assert.Equal(lang, await session.Page.GetAttributeAsync("html", "lang"));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    public async Task Without_JavaScript_the_form_still_submits_and_the_tip_is_stored_exactly_as_typed(string lang)
    {
        await using var session = await OpenAsync(lang, javaScript: false);
        var marker = TestTips.NewMarker();
        var narrative = $"{Narratives[lang]}\n둘째 줄 {marker}";
        await FillValidAsync(session.Page, narrative, lang);

        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();

        await session.Page.WaitForURLAsync(new Regex("/submit$"));
        var receipt = (await session.Page.Locator("#receipt-code").InnerTextAsync()).Trim();
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", receipt);
        Assert.Equal(lang, await session.Page.GetAttributeAsync("html", "lang"));
        var tip = await _host.WaitForTipAsync(marker);
        Assert.Equal(narrative, tip.GetString("Narrative"));
        Assert.Equal(Regions[lang], tip.GetString("Region"));

        // The server held the plaintext only in memory: none of it, nor the receipt, reached a log.
        Assert.DoesNotContain(marker, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Regions[lang], _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(receipt, _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_JavaScript_a_file_chosen_on_the_form_is_encrypted_on_arrival_and_attached_to_the_report()
    {
        await using var session = await OpenAsync("ko", javaScript: false);
        var marker = TestTips.NewMarker();
        await FillValidAsync(session.Page, $"{Narratives["ko"]} {marker}", "ko");
        var document = System.Text.Encoding.ASCII.GetBytes("%PDF-1.4\n% a detention notice\n" + new string('x', 300_000) + "\n%%EOF\n");
        var fileName = $"notice-{TestTips.NewMarker()}.pdf";

        // The page says, in Korean, that this path is weaker and what the limits are.
        Assert.True(HasHangul(await session.Page.Locator("#warning-noscript-files").InnerTextAsync()), "The no-script files warning should be in Korean.");
        await session.Page.Locator("#noscript-files").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = "application/pdf", Buffer = document });
        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();

        await session.Page.WaitForURLAsync(new Regex("/submit$"));
        await Assertions.Expect(session.Page.Locator("#receipt-code")).ToBeVisibleAsync();
        var tip = await _host.WaitForTipAsync(marker);
        var rows = new TableServiceClient(_host.ConnectionString).GetTableClient(Infrastructure.Storage.StorageNames.AttachmentsTable);
        var file = await Eventually.ReturnsAsync(
            async () => (await rows.GetEntityIfExistsAsync<TableEntity>(tip.RowKey, "01")) is { HasValue: true } row && row.Value!.GetString("State") == "attached" ? row.Value : null,
            "the file attached");
        Assert.Equal(("document-1.pdf", "unchecked"), (file.GetString("Name"), file.GetString("Handling")));
        using var signIn = await _host.Http.PostAsJsonAsync("/dev/token", new { roles = new[] { Core.Staff.StaffRoles.Reader }, name = "Reader" });
        var token = (await signIn.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("access_token").GetString()!;
        using var download = new HttpRequestMessage(HttpMethod.Get, new Uri(_host.Host.BaseAddress, $"api/triage/tips/{tip.RowKey}/attachments/1"));
        download.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var downloaded = await _host.Http.SendAsync(download);
        Assert.Equal(HttpStatusCode.OK, downloaded.StatusCode);
        Assert.Equal(document, await downloaded.Content.ReadAsByteArrayAsync());

        // The reporter's file name went nowhere: not into a row, not into a log.
        Assert.DoesNotContain(fileName, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(fileName, string.Join('\n', file.Select(pair => pair.Value?.ToString())), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_JavaScript_an_invalid_form_comes_back_with_what_was_typed_and_what_to_fix()
    {
        await using var session = await OpenAsync("ko", javaScript: false);
        var marker = TestTips.NewMarker();
        await session.Page.Locator("[name=narrative]").FillAsync($"{Narratives["ko"]} {marker}");
        await session.Page.Locator("[name=region]").FillAsync(Regions["ko"]);

        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();

        await session.Page.WaitForURLAsync(new Regex("/submit$"));
        Assert.Equal(Regions["ko"], await session.Page.Locator("[name=region]").InputValueAsync());
        Assert.Equal($"{Narratives["ko"]} {marker}", await session.Page.Locator("[name=narrative]").InputValueAsync());
        Assert.True(HasHangul(await session.Page.Locator("#error-country").InnerTextAsync()), "The country error should be in Korean.");
        Assert.True(HasHangul(await session.Page.Locator("#error-category").InnerTextAsync()), "The category error should be in Korean.");
        Assert.Null(await TipJourneyTests.FirstAsync(_host.Tips.QueryAsync<TableEntity>()));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    [InlineData("zh-Hans")]
    public async Task Each_invalid_field_gets_a_message_in_the_page_language(string lang)
    {
        await using var session = await OpenAsync(lang);
        var page = session.Page;
        await page.Locator("[name=region]").FillAsync("somewhere");
        await page.Locator("[name=observedFrom]").FillAsync(DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("[name=peopleCount]").FillAsync("100001");

        await page.Locator("#tip-form [type=submit]").ClickAsync();

        // Urgency starts on "don't know", so it cannot be missing.
        foreach (var field in new[] { "category", "narrative", "country", "observedFrom", "peopleCount" })
        {
            var message = (await page.Locator($"#error-{field}").InnerTextAsync()).Trim();
            Assert.False(string.IsNullOrEmpty(message), $"No message for {field}.");
            if (lang == "ko")
            {
                Assert.True(HasHangul(message), $"The {field} message should be in Korean: {message}");
            }
        }

        Assert.DoesNotContain(session.Requests, url => url.EndsWith("/api/tips", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ko")]
    [InlineData("zh-Hans")]
    public async Task Server_error_is_shown_in_the_page_language_and_nothing_typed_is_lost(string lang)
    {
        await using var session = await OpenAsync(lang);
        await session.Page.RouteAsync("**/api/tips", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 503,
            ContentType = "application/problem+json",
            Headers = new Dictionary<string, string> { ["Retry-After"] = "30" },
            Body = """{"type":"urn:tipintake:problem:unavailable","title":"Temporarily unavailable","status":503,"detail":"x"}""",
        }));
        var narrative = Narratives[lang];
        await FillValidAsync(session.Page, narrative, lang);

        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();

        var status = session.Page.Locator("#form-status");
        await Assertions.Expect(status).Not.ToBeEmptyAsync();
        var text = await status.InnerTextAsync();
        Assert.True(lang == "ko" ? HasHangul(text) : HasHan(text), $"The error should be in {lang}: {text}");
        Assert.Equal(narrative, await session.Page.Locator("[name=narrative]").InputValueAsync());
        Assert.Equal(Regions[lang], await session.Page.Locator("[name=region]").InputValueAsync());
    }

    [Fact]
    public async Task Testimony_of_twenty_thousand_Korean_characters_is_sent_from_the_browser_and_stored_whole()
    {
        await using var session = await OpenAsync("ko");
        var marker = TestTips.NewMarker();
        var body = string.Concat(Enumerable.Repeat("회령에서 온 여성이 연길로 팔려 갔습니다. ", 1_000));
        var narrative = (marker + " " + body)[..20_000];
        await FillValidAsync(session.Page, narrative, "ko");

        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();

        await Assertions.Expect(session.Page.Locator("#receipt-code")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        Assert.Equal(narrative, (await _host.WaitForTipAsync(marker)).GetString("Narrative"));
        Assert.Empty(session.ConsoleErrors);
        Assert.Empty(await session.CspViolationsAsync());
    }

    [Fact]
    public async Task Report_resent_after_a_503_that_hid_its_arrival_keeps_one_tip_and_shows_its_receipt()
    {
        await using var session = await OpenAsync("ko");
        var marker = TestTips.NewMarker();
        var sent = new List<(string? Submission, string? Body)>();
        string? firstReceipt = null;
        string? secondReceipt = null;

        // The first attempt reaches the server and is queued, but the browser is told 503: the ambiguous outage answer.
        await session.Page.RouteAsync("**/api/tips", async route =>
        {
            sent.Add((route.Request.Headers.GetValueOrDefault("tipintake-submission"), route.Request.PostData));
            if (sent.Count > 1)
            {
                var again = await route.FetchAsync();
                secondReceipt = (await again.JsonAsync())?.GetProperty("receipt").GetString();
                await route.FulfillAsync(new RouteFulfillOptions { Response = again });
                return;
            }

            var real = await route.FetchAsync();
            Assert.Equal(202, real.Status);
            firstReceipt = (await real.JsonAsync())?.GetProperty("receipt").GetString();
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 503,
                ContentType = "application/problem+json",
                Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
                Body = """{"type":"urn:tipintake:problem:unavailable","title":"Temporarily unavailable","status":503,"detail":"x"}""",
            });
        });
        await FillValidAsync(session.Page, $"{Narratives["ko"]} {marker}", "ko");

        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#form-status")).Not.ToBeEmptyAsync();
        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();

        var receipt = session.Page.Locator("#receipt-code");
        await Assertions.Expect(receipt).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // The server knew the resend for the first attempt (the same intake receipt); the page shows the reporter
        // the follow-up code both attempts carried, never the intake receipt.
        Assert.Equal(firstReceipt, secondReceipt);
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", (await receipt.InnerTextAsync()).Trim());
        Assert.NotEqual(firstReceipt, (await receipt.InnerTextAsync()).Trim());
        Assert.Equal(2, sent.Count);
        Assert.Equal(sent[0], sent[1]);
        Assert.Matches("^[A-Za-z0-9_-]{22}$", sent[0].Submission ?? "");
        await _host.WaitForTipAsync(marker);
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(1, await _host.CountTipsWithAsync(marker));
        Assert.DoesNotContain(session.ConsoleErrors, e => !e.Contains("503", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_the_floor_rises_during_a_send_the_form_works_on_in_its_workers_says_why_and_gets_through()
    {
        await using var session = await OpenAsync("ko");
        var marker = TestTips.NewMarker();
        var workers = new List<string>();
        session.Page.Worker += (_, worker) => workers.Add(worker.Url);
        var stamps = new List<string>();
        string? shownWhileRaised = null;
        const int RaisedFloor = 16;

        // The first stamp is refused as if the floor had just risen to 16 bits; the second goes to the real service.
        await session.Page.RouteAsync("**/api/tips", async route =>
        {
            stamps.Add(route.Request.Headers.GetValueOrDefault("tipintake-stamp") ?? "");
            if (stamps.Count > 1)
            {
                shownWhileRaised = await session.Page.Locator("#stamp-text").InnerTextAsync();
                await route.ContinueAsync();
                return;
            }

            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = 403,
                ContentType = "application/problem+json",
                Body = $$"""{"type":"urn:tipintake:problem:effort-too-low","title":"More work needed","status":403,"effort":{{RaisedFloor}},"suggestedEffort":{{RaisedFloor}}}""",
            });
        });
        await FillValidAsync(session.Page, $"{Narratives["ko"]} {marker}", "ko");

        await session.Page.Locator("#tip-form [type=submit]").ClickAsync();

        await Assertions.Expect(session.Page.Locator("#receipt-code")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await _host.WaitForTipAsync(marker);
        Assert.Equal(2, stamps.Count);
        // The search went on over the same challenge (no new one was fetched) to the raised effort.
        Assert.Equal(stamps[0][..stamps[0].LastIndexOf(':')], stamps[1][..stamps[1].LastIndexOf(':')]);
        Assert.True(TestTips.LeadingZeroBits(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(stamps[1]))) >= RaisedFloor);
        Assert.Single(session.Requests, url => url.EndsWith("/api/challenge", StringComparison.Ordinal));
        Assert.Contains(workers, url => url.EndsWith("/assets/stamp-worker.js", StringComparison.Ordinal));
        // In the page's language: many reports are arriving, this may take a minute on a slow phone.
        Assert.Contains("1분", shownWhileRaised, StringComparison.Ordinal);
        Assert.DoesNotContain(session.ConsoleErrors, e => !e.Contains("403", StringComparison.Ordinal));
        Assert.Empty(await session.CspViolationsAsync());
    }

    private Task<BrowserSession> OpenAsync(string lang, bool javaScript = true) => BrowserSession.OpenAsync(
        _browser,
        new Uri(_host.Host.BaseAddress, $"?lang={lang}"),
        new BrowserNewContextOptions
        {
            JavaScriptEnabled = javaScript,
            ViewportSize = new ViewportSize { Width = 360, Height = 780 },
            Locale = lang switch { "ko" => "ko-KR", "zh-Hans" => "zh-CN", _ => "en-GB" },
        });

    private static async Task FillValidAsync(IPage page, string narrative, string lang)
    {
        await SetAsync(page, "category", "forced-repatriation");
        await page.Locator("[name=narrative]").FillAsync(narrative);
        await SetAsync(page, "urgency", "imminent");
        await SetAsync(page, "country", "CN");
        await page.Locator("[name=region]").FillAsync(Regions[lang]);
        await page.Locator("[name=peopleCount]").FillAsync("3");
        await page.Locator("[name=observedFrom]").FillAsync("2026-11-01");
    }

    /// <summary>Sets a field whether the form shows it as radio buttons, a select or a text input.</summary>
    private static async Task SetAsync(IPage page, string name, string value)
    {
        var field = page.Locator($"[name={name}]");
        if (await field.CountAsync() > 1)
        {
            await page.Locator($"[name={name}][value='{value}']").CheckAsync();
        }
        else if (await field.EvaluateAsync<string>("e => e.tagName") == "SELECT")
        {
            await field.SelectOptionAsync(value);
        }
        else
        {
            await field.FillAsync(value);
        }
    }

    private static async Task<string> RunNodeAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await errors);
        return (await output).Trim();
    }

    private static bool HasHangul(string text) => text.Any(c => c is >= '\uAC00' and <= '\uD7A3');

    private static bool HasHan(string text) => text.Any(c => c is >= '\u4E00' and <= '\u9FFF');
}
