using System.Net;
using Deque.AxeCore.Playwright;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TipIntake.Core.Tips;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Index;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// The staff's triage page in a real browser (Debian's Chromium), against the local host, the triage API and Azurite:
/// a tip submitted through the real pipeline is found, moved to in-review and given a note, and the audit trail shows both.
/// </summary>
public sealed class TriagePageTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync();
        _browser = await Chromium.BrowserAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Editor_signs_in_finds_the_tip_moves_it_to_review_adds_a_note_and_sees_both_in_the_audit_trail()
    {
        var marker = TestTips.NewMarker();
        var narrative = $"회령에서 온 세 사람이 도문 구류소에 있습니다. <b>not markup</b> {marker}";
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(narrative));
        using (var accepted = await TestTips.PostAsync(_host.Http, jwe))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var id = (await _host.WaitForTipAsync(marker)).RowKey;

        using var pageResponse = await _host.Http.GetAsync(new Uri("/triage?lang=en", UriKind.Relative));
        var csp = string.Join(";", pageResponse.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("connect-src 'self' https://login.microsoftonline.com", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);

        await using var session = await OpenAsync("en");
        var page = session.Page;
        await page.Locator("#signin-dev-editor").ClickAsync();

        var row = page.Locator($"#tip-list button[data-id='{id}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // The filters list what the server knows (#triage-facts), in its order.
        var (statuses, categories, urgencies) = (
            await OptionValuesAsync(page, "#status-filter"), await OptionValuesAsync(page, "#search-category"), await OptionValuesAsync(page, "#search-urgency"));
        Assert.Equal(["", .. TriageStatuses.All], statuses);
        Assert.Equal(["", .. TipCategories.All], categories);
        Assert.Equal(["", .. TipUrgencies.All], urgencies);
        Assert.Equal("In review", await page.Locator("#status-filter option[value='in-review']").InnerTextAsync());
        var opened = await page.RunAndWaitForResponseAsync(
            () => row.ClickAsync(), response => response.Request.Method == "GET" && response.Url.EndsWith($"/api/triage/tips/{id}", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#narrative")).ToHaveTextAsync(narrative);
        Assert.Equal(0, await page.Locator("#narrative b").CountAsync());
        // The status menu offers exactly what the API said this tip may move to, in its order.
        Assert.Equal(["in-review"], await NextStatusesAsync(opened));
        Assert.Equal(["in-review"], await StatusChoicesAsync(page));

        // Two changes in quick succession: the note is added while the status change is still on its way (its answer
        // held back), so it waits its turn, visibly, and is sent after it — never dropped.
        var statusHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await page.RouteAsync($"**/api/triage/tips/{id}/status", async route =>
        {
            await statusHeld.Task;
            await route.ContinueAsync();
        });
        var statusAnswered = page.WaitForResponseAsync(response => response.Url.EndsWith($"/api/triage/tips/{id}/status", StringComparison.Ordinal));
        var noteAnswered = page.WaitForResponseAsync(response => response.Url.EndsWith($"/api/triage/tips/{id}/notes", StringComparison.Ordinal));
        await page.Locator("#status-select").SelectOptionAsync("in-review");
        await page.Locator("#status-apply").ClickAsync();
        await Assertions.Expect(page.Locator("#detail")).ToHaveAttributeAsync("aria-busy", "true");
        var note = $"Called the contact in Yanji. {TestTips.NewMarker()}";
        await page.Locator("#note-text").FillAsync(note);
        await page.Locator("#note-add").ClickAsync();
        await Assertions.Expect(page.Locator("#detail-pending")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#detail-pending")).ToHaveTextAsync("One moment: saving. What you change meanwhile is sent in turn, after it.");
        statusHeld.SetResult();

        var moved = await statusAnswered;
        Assert.Equal(["verified", "escalated", "dismissed"], await NextStatusesAsync(moved));
        var noted = await noteAnswered;
        // Sent with the version the status change left (with the one it replaced, it would have been refused: 412).
        Assert.True(noted.Ok, $"{noted.Status} from {noted.Url}");
        await Assertions.Expect(page.Locator("#note-list")).ToContainTextAsync(note);
        await Assertions.Expect(page.Locator("#detail")).ToHaveAttributeAsync("aria-busy", "false", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#detail-pending")).ToBeHiddenAsync();
        // From in-review, the workflow offers verified, escalated and dismissed.
        await Assertions.Expect(page.Locator("#status-select option")).ToHaveCountAsync(3);
        Assert.Equal(await NextStatusesAsync(moved), await StatusChoicesAsync(page));
        Assert.Equal(["Verified", "Escalated", "Dismissed"], await page.Locator("#status-select option").AllInnerTextsAsync());
        Assert.Equal("", await page.Locator("#note-text").InputValueAsync());

        var trail = page.Locator("#event-list");
        await Assertions.Expect(trail).ToContainTextAsync("Status changed");
        await Assertions.Expect(trail).ToContainTextAsync("Note added");
        await Assertions.Expect(trail).ToContainTextAsync("New → In review");
        Assert.DoesNotContain(note, await trail.InnerTextAsync(), StringComparison.Ordinal);

        // Only this origin was asked for anything; nothing broke the CSP or logged an error.
        Assert.All(session.Requests, url => Assert.StartsWith(_host.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
        Assert.Contains(session.Requests, url => url.EndsWith($"/api/triage/tips/{id}/notes", StringComparison.Ordinal));
        Assert.Empty(await session.CspViolationsAsync());
        Assert.Empty(session.ConsoleErrors);
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"));

        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }

    [Fact]
    public async Task Reporter_text_with_bidirectional_overrides_is_shown_isolated_in_the_list_and_the_detail()
    {
        var marker = TestTips.NewMarker();
        var narrative = $"Photo: \u202Egnp.exe\u202C {marker}";
        using (var accepted = await TestTips.PostAsync(_host.Http, await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(narrative))))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        // A region with an override, as a row stored before the processor refused them in short fields would hold.
        // Edited once the processor has answered the queue, which it does only after it has listed the tip: edited
        // before, its listing would write the old region over what the repair writes. The region alone, under
        // ETag.All: the content indexer may clear the row's marker meanwhile.
        var stored = await _host.WaitForTipAsync(marker);
        await _host.WaitUntilInboundIsEmptyAsync();
        await _host.Tips.UpdateEntityAsync(
            new Azure.Data.Tables.TableEntity(stored.PartitionKey, stored.RowKey) { ["Region"] = "Jilin\u202E, Yanbian" },
            Azure.ETag.All,
            Azure.Data.Tables.TableUpdateMode.Merge);

        // Lists are read from the index (docs/triage.md): the repair job brings it in line with the edited row.
        await _host.App.GetRequiredService<TriageIndexRepair>().RunAsync(default);

        await using var session = await OpenAsync("en");
        var page = session.Page;
        await page.Locator("#signin-dev-editor").ClickAsync();
        var row = page.Locator($"#tip-list button[data-id='{stored.RowKey}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal("Jilin\u202E, Yanbian", (await row.Locator("bdi").TextContentAsync())!.Split(", ", 2)[1]);
        Assert.Equal("plaintext", await row.Locator("bdi").EvaluateAsync<string>("e => getComputedStyle(e).unicodeBidi"));
        await row.ClickAsync();

        await Assertions.Expect(page.Locator("#narrative")).ToHaveTextAsync(narrative);
        Assert.Equal("auto", await page.Locator("#narrative").GetAttributeAsync("dir"));
        Assert.Equal("plaintext", await page.Locator("#narrative").EvaluateAsync<string>("e => getComputedStyle(e).unicodeBidi"));
        var fields = await page.Locator("#fields dd").EvaluateAllAsync<string[]>("ds => ds.map(d => d.dir + ' ' + getComputedStyle(d).unicodeBidi)");
        Assert.NotEmpty(fields);
        Assert.All(fields, f => Assert.Equal("auto plaintext", f));
    }

    [Fact]
    public async Task Editor_selects_a_floods_tips_by_their_effort_and_dismisses_them_together()
    {
        var ids = new List<string>();
        foreach (var marker in new[] { TestTips.NewMarker(), TestTips.NewMarker() })
        {
            using (var accepted = await TestTips.PostAsync(_host.Http, await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson($"spam {marker}"))))
            {
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            }

            ids.Add((await _host.WaitForTipAsync(marker)).RowKey);
        }

        await using var session = await OpenAsync("en");
        var page = session.Page;
        page.Dialog += async (_, dialog) =>
        {
            Assert.Contains("Dismiss 2 tips?", dialog.Message, StringComparison.Ordinal);
            await dialog.AcceptAsync();
        };
        await page.Locator("#signin-dev-editor").ClickAsync();
        foreach (var id in ids)
        {
            var row = page.Locator($"#tip-list li:has(button[data-id='{id}'])");
            await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
            // The band of four bits the stamp's effort fell in.
            await Assertions.Expect(row.Locator(".tip-meta")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Effort [0-9]+–[0-9]+ bits"));
            await row.Locator("input.bulk-select").CheckAsync();
        }

        await Assertions.Expect(page.Locator("#bulk-dismiss")).ToHaveTextAsync("Dismiss selected (2)");
        await page.Locator("#bulk-dismiss").ClickAsync();

        foreach (var id in ids)
        {
            var row = page.Locator($"#tip-list li:has(button[data-id='{id}'])");
            await Assertions.Expect(row.Locator(".tip-meta")).ToContainTextAsync("Dismissed", new() { Timeout = 30_000 });
            Assert.Equal(0, await row.Locator("input.bulk-select").CountAsync());
        }

        Assert.Contains(session.Requests, url => url.EndsWith("/api/triage/dismissals", StringComparison.Ordinal));
        Assert.Empty(await session.CspViolationsAsync());
        Assert.Empty(session.ConsoleErrors);
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }

    [Fact]
    public async Task Sign_in_page_in_korean_passes_axe_and_offers_the_development_sign_in()
    {
        await using var session = await OpenAsync("ko");
        var page = session.Page;

        await Assertions.Expect(page.Locator("#signin-dev-editor")).ToBeVisibleAsync();
        Assert.Equal("ko", await page.GetAttributeAsync("html", "lang"));
        Assert.True(await page.Locator("#workspace").IsHiddenAsync());
        var results = await page.RunAxe();
        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
        Assert.Empty(await session.CspViolationsAsync());
    }

    private static async Task<string[]> NextStatusesAsync(IResponse tip)
    {
        Assert.True(tip.Ok, $"{tip.Status} from {tip.Url}");
        using var json = System.Text.Json.JsonDocument.Parse(await tip.TextAsync());
        return [.. json.RootElement.GetProperty("nextStatuses").EnumerateArray().Select(status => status.GetString()!)];
    }

    private static Task<string[]> StatusChoicesAsync(IPage page) => OptionValuesAsync(page, "#status-select");

    private static Task<string[]> OptionValuesAsync(IPage page, string select) =>
        page.Locator($"{select} option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");

    private Task<BrowserSession> OpenAsync(string lang) => BrowserSession.OpenAsync(
        _browser,
        new Uri(_host.Host.BaseAddress, $"triage?lang={lang}"),
        new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = lang == "ko" ? "ko-KR" : "en-GB",
        });
}
