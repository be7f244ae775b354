using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using TipIntake.Core.Tips;
using TipIntake.IntegrationTests.Triage;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// The triage page for a working day, in Debian's Chromium against the local host, the triage API and Azurite: the
/// list and the open tip side by side on a 1,024 px screen, the keys that move through the list, a tip without a place
/// listed without a dangling separator, search with its filters and pages, related reports with their reason, linked
/// by an Editor, a change refused because someone else changed the tip meanwhile, and signing out — in English and
/// Korean, axe clean and within the page's CSP.
/// </summary>
public sealed class TriageWorkdayTests : IAsyncLifetime
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
    public async Task At_1024_px_the_list_and_the_open_tip_are_side_by_side_and_the_keys_move_through_the_list()
    {
        var hour = DateTimeOffset.UtcNow;
        var noPlace = await _host.SeedTipAsync(new Tip(TipCategories.Trafficking, "She was sold; nobody knows where she is now.", TipUrgencies.Imminent,
            null, null, null, null, "en", null), "urgent", 1, hour);
        var second = await _host.SeedTipAsync(new Tip(TipCategories.Detention, "세 사람이 연길에서 잡혔습니다.", TipUrgencies.Soon,
            new TipLocation("CN", "Jilin", "연길"), null, null, 3, "ko", null), "detention", 2, hour.AddHours(-1));
        var third = await _host.SeedTipAsync(new Tip(TipCategories.Other, "A broker in Dandong asked for money.", TipUrgencies.Unknown,
            new TipLocation("CN", null, null), null, null, null, "en", null), "general", 3, hour.AddHours(-2));

        await using var session = await OpenAsync("en", 1024, 800);
        var page = session.Page;
        await page.Locator("#signin-dev-editor").ClickAsync();
        var rows = page.Locator("#tip-list button");
        await Assertions.Expect(rows).ToHaveCountAsync(3, new() { Timeout = 30_000 });
        Assert.Equal([noPlace, second, third], await rows.EvaluateAllAsync<string[]>("bs => bs.map(b => b.dataset.id)"));

        // No separator with nothing after it: a tip with no place is just its category; a country alone has no comma.
        var lines = await page.Locator("#tip-list .tip-line").AllInnerTextsAsync();
        Assert.EndsWith("Trafficking", lines[0].Trim(), StringComparison.Ordinal);
        Assert.EndsWith("Other · CN", lines[2].Trim(), StringComparison.Ordinal);
        Assert.All(lines, line => Assert.DoesNotMatch(@"[·,]\s*$", line));

        // One tab stop for the list; the arrows, Home and End move within it; Enter opens.
        Assert.Equal(["0", "-1", "-1"], await rows.EvaluateAllAsync<string[]>("bs => bs.map(b => b.getAttribute('tabindex'))"));
        await rows.First.FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal(second, await FocusedIdAsync(page));
        await page.Keyboard.PressAsync("End");
        Assert.Equal(third, await FocusedIdAsync(page));
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal(third, await FocusedIdAsync(page));
        await page.Keyboard.PressAsync("Home");
        Assert.Equal(noPlace, await FocusedIdAsync(page));
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal(["-1", "0", "-1"], await rows.EvaluateAllAsync<string[]>("bs => bs.map(b => b.getAttribute('tabindex'))"));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#detail-id")).ToHaveTextAsync(second);
        await Assertions.Expect(page.Locator("#narrative")).ToHaveTextAsync("세 사람이 연길에서 잡혔습니다.");
        await Assertions.Expect(page.Locator("#detail-placeholder")).ToBeHiddenAsync();

        // Side by side at 1,024 px: the tip to the right of the list, both in view at once.
        var list = (await page.Locator("#tips").BoundingBoxAsync())!;
        var detail = (await page.Locator("#detail").BoundingBoxAsync())!;
        Assert.True(detail.X >= list.X + list.Width, $"the tip ({detail.X}) must be right of the list ({list.X}+{list.Width})");
        Assert.True(detail.Y < 800 && list.Y < 800, $"both must start on screen (list at {list.Y}, tip at {detail.Y})");

        // Escape in the open tip goes back to its row.
        await page.Locator("#narrative").FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        Assert.Equal(second, await FocusedIdAsync(page));
        Assert.Equal("true", await page.Locator($"#tip-list button[data-id='{second}']").GetAttributeAsync("aria-current"));

        await AssertAxeCleanAsync(page);

        // Narrower than 1,024 px the tip opens below the list.
        await page.SetViewportSizeAsync(900, 800);
        list = (await page.Locator("#tips").BoundingBoxAsync())!;
        detail = (await page.Locator("#detail").BoundingBoxAsync())!;
        Assert.True(detail.Y >= list.Y + list.Height, $"below 1,024 px the tip ({detail.Y}) comes after the list ({list.Y}+{list.Height})");

        Assert.Empty(await session.CspViolationsAsync());
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task In_Korean_staff_search_by_a_word_by_the_Chinese_place_with_filters_and_pages_and_an_editor_links_a_report_in_another_language()
    {
        var wife = await _host.SeedTipAsync(new Tip(
            TipCategories.Detention, "남편이 11월 3일 도문 변방대 구류소에 잡혀 있습니다. 곧 북송될 것 같습니다.", TipUrgencies.Imminent,
            new TipLocation("CN", "길림성", "도문"), new DateOnly(2026, 11, 3), null, 1, "ko", null), "urgent", 1);
        var church = await _host.SeedTipAsync(new Tip(
            TipCategories.Detention, "我们教会的一位弟兄上周在图们被抓，现在关在图们看守所，可能被遣返。", TipUrgencies.Soon,
            new TipLocation("CN", "吉林省", "图们"), new DateOnly(2026, 11, 5), new DateOnly(2026, 11, 6), 1, "zh-Hans", null));
        var marker = TestTips.NewMarker();
        await Parallel.ForAsync(0, 27, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
            await _host.SeedTipAsync(new Tip(TipCategories.Other, $"Report {i} from Hyesan: {marker}", TipUrgencies.Unknown,
                new TipLocation("KP", null, "Hyesan"), null, null, null, "en", null), "general", 3, DateTimeOffset.UtcNow.AddDays(-40)));

        await using var session = await OpenAsync("ko", 1280, 900);
        var page = session.Page;
        await page.Locator("#signin-dev-editor").ClickAsync();
        var rows = page.Locator("#tip-list button");
        await Assertions.Expect(rows).ToHaveCountAsync(25, new() { Timeout = 30_000 });

        // A two-character Korean word of the narrative.
        await SearchAsync(page, "남편");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        Assert.Equal(wife, await rows.First.GetAttributeAsync("data-id"));
        await Assertions.Expect(page.Locator("#tips-scope")).ToHaveTextAsync("(검색 결과)");

        // The place in Chinese finds the Korean report of Tumen too.
        await SearchAsync(page, "图们");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        var found = await rows.EvaluateAllAsync<string[]>("bs => bs.map(b => b.dataset.id)");
        Assert.Equal(new[] { wife, church }.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));

        // With filters: the category and urgency narrow it to the wife's report.
        await page.Locator("#search-filters summary").ClickAsync();
        await page.Locator("#search-urgency").SelectOptionAsync("imminent");
        await page.Locator("#search-category").SelectOptionAsync("detention");
        await page.Locator("#search-submit").ClickAsync();
        await ListLoadedAsync(page);
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        Assert.Equal(wife, await rows.First.GetAttributeAsync("data-id"));

        // Paged: a word in 27 tips answers 25, then the rest.
        await page.Locator("#search-clear").ClickAsync();
        await ListLoadedAsync(page);
        await SearchAsync(page, marker);
        await Assertions.Expect(rows).ToHaveCountAsync(25);
        await page.Locator("#tips-more").ClickAsync();
        await ListLoadedAsync(page);
        await Assertions.Expect(rows).ToHaveCountAsync(27);
        await Assertions.Expect(page.Locator("#tips-more")).ToBeHiddenAsync();

        // A refused search is explained in Korean: the first day after the last.
        await page.Locator("#search-q").FillAsync("");
        await page.Locator("#search-from").FillAsync("2026-11-10");
        await page.Locator("#search-to").FillAsync("2026-11-01");
        await page.Locator("#search-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#alert")).ToHaveTextAsync("날짜를 확인하십시오. 시작일이 종료일보다 늦을 수 없습니다.");

        // Back to the lists; open the wife's report: the church's report is suggested, with the place in every script.
        await page.Locator("#search-clear").ClickAsync();
        await ListLoadedAsync(page);
        await SearchAsync(page, "남편");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await rows.First.ClickAsync();
        var related = page.Locator("#related-list > li");
        await Assertions.Expect(related).ToHaveCountAsync(1);
        await Assertions.Expect(related.First).ToContainTextAsync("제안");
        await Assertions.Expect(related.First).ToContainTextAsync("같은 시기, 같은 장소");
        await Assertions.Expect(related.First).ToContainTextAsync("图们");
        Assert.DoesNotContain("教会", await related.First.InnerTextAsync(), StringComparison.Ordinal);

        await related.First.Locator("button[data-action='link']").ClickAsync();
        await Assertions.Expect(related.First).ToContainTextAsync("연결됨");
        await Assertions.Expect(page.Locator("#event-list")).ToContainTextAsync("제보와 연결");
        await AssertAxeCleanAsync(page);

        // The link shows from the other report too, which opens from the suggestion.
        await related.First.Locator("button[data-action='open']").ClickAsync();
        await Assertions.Expect(page.Locator("#detail-id")).ToHaveTextAsync(church);
        await Assertions.Expect(related).ToHaveCountAsync(1);
        await Assertions.Expect(related.First).ToContainTextAsync("연결됨");
        await Assertions.Expect(related.First.Locator("button[data-action='link']")).ToHaveCountAsync(0);

        Assert.All(session.Requests, url => Assert.StartsWith(_host.Host.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
        Assert.Contains(session.Requests, url => url.EndsWith($"/api/triage/tips/{wife}/related/{church}", StringComparison.Ordinal));
        Assert.Empty(await session.CspViolationsAsync());
        Assert.Empty(session.ConsoleErrors);

        // A Reader sees the suggestion and its reason, but cannot decide.
        await using var reader = await OpenAsync("en", 1280, 900);
        await reader.Page.Locator("#signin-dev-reader").ClickAsync();
        await SearchAsync(reader.Page, "图们");
        await reader.Page.Locator($"#tip-list button[data-id='{church}']").ClickAsync();
        var readerRelated = reader.Page.Locator("#related-list > li");
        await Assertions.Expect(readerRelated).ToHaveCountAsync(1);
        await Assertions.Expect(readerRelated.First).ToContainTextAsync("Same place within the same weeks");
        await Assertions.Expect(readerRelated.First.Locator("button[data-action='unlink']")).ToBeDisabledAsync();
        await AssertAxeCleanAsync(reader.Page);
    }

    [Fact]
    public async Task A_tip_changed_by_someone_else_meanwhile_is_reloaded_with_its_new_choices_and_signing_out_clears_the_page()
    {
        var id = await _host.SeedTipAsync(new Tip(TipCategories.Detention, "Two people were taken in Yanji.", TipUrgencies.Soon,
            new TipLocation("CN", "Jilin", "Yanji"), null, null, 2, "en", null));

        await using var session = await OpenAsync("en", 1280, 900);
        var page = session.Page;
        await page.Locator("#signin-dev-editor").ClickAsync();
        var row = page.Locator($"#tip-list button[data-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await row.ClickAsync();
        await Assertions.Expect(page.Locator("#detail-id")).ToHaveTextAsync(id);
        await Assertions.Expect(page.Locator("#status-select option")).ToHaveCountAsync(1);
        await page.Locator("#note-text").FillAsync("Half-written note");

        // Someone else moves the tip to in-review while it is on screen.
        var (_, etag) = await _host.ReadTipAsync(id);
        using (var moved = await _host.ChangeAsync(id, "status", new { status = "in-review" }, etag))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, moved.StatusCode);
        }

        // The page's change, sent with the version it showed, is refused (412): it says so and offers to reload.
        await page.Locator("#status-apply").ClickAsync();
        await Assertions.Expect(page.Locator("#conflict")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#conflict-reload")).ToBeFocusedAsync();
        var reloaded = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#conflict-reload").ClickAsync(), response => response.Request.Method == "GET" && response.Url.EndsWith($"/api/triage/tips/{id}", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#conflict")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#status-select option")).ToHaveCountAsync(3);
        using (var json = System.Text.Json.JsonDocument.Parse(await reloaded.TextAsync()))
        {
            Assert.Equal(
                json.RootElement.GetProperty("nextStatuses").EnumerateArray().Select(status => status.GetString()!).ToArray(),
                await page.Locator("#status-select option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)"));
        }

        // What was typed in the note box stays.
        Assert.Equal("Half-written note", await page.Locator("#note-text").InputValueAsync());
        await AssertAxeCleanAsync(page);

        // Signing out takes the tips, the open tip and what was searched for off the page.
        await page.Locator("#search-q").FillAsync("Yanji");
        await page.Locator("#signout").ClickAsync();
        await Assertions.Expect(page.Locator("#signin")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#workspace")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#detail")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#announce")).ToHaveTextAsync("Signed out.");
        Assert.Equal(0, await page.Locator("#tip-list li, #queue-list li, #related-list li").CountAsync());
        Assert.Equal("", await page.Locator("#search-q").InputValueAsync());
        Assert.Empty(await session.CspViolationsAsync());
    }

    /// <summary>Searches and waits until the answer is listed (the list says it is busy from the click until then).</summary>
    private static async Task SearchAsync(IPage page, string words)
    {
        await page.Locator("#search-q").FillAsync(words);
        await page.Locator("#search-submit").ClickAsync();
        await ListLoadedAsync(page);
    }

    private static Task ListLoadedAsync(IPage page) =>
        Assertions.Expect(page.Locator("#tip-list")).ToHaveAttributeAsync("aria-busy", "false");

    private static Task<string?> FocusedIdAsync(IPage page) => page.EvaluateAsync<string?>("() => document.activeElement && document.activeElement.dataset.id");

    private static async Task AssertAxeCleanAsync(IPage page)
    {
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }

    private Task<BrowserSession> OpenAsync(string lang, int width, int height) => BrowserSession.OpenAsync(
        _browser,
        new Uri(_host.Host.Host.BaseAddress, $"triage?lang={lang}"),
        new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = lang == "ko" ? "ko-KR" : "en-GB",
        });
}
