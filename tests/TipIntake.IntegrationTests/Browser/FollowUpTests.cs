using Azure.Data.Tables;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// Follow-up from the reporter's side in a real browser (docs/follow-up.md): the code and its keys as documented, the
/// code shown on the receipt, and the /follow-up page opening the thread with it, saying "not recognised" for a wrong
/// code and "typing mistake" for a typo before any request.
/// </summary>
public sealed class FollowUpTests : IAsyncLifetime
{
    private const string LookupPath = "/api/follow-up/lookup";
    private TestHost _host = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync();
        _browser = await Chromium.BrowserAsync();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_pages_code_and_keys_match_the_documented_test_vector_and_a_wrong_code_cannot_open_a_sealed_key()
    {
        await using var session = await OpenFollowUpAsync("en");
        var result = await session.Page.EvaluateAsync<Dictionary<string, string>>(
            """
            async () => {
              const code = await import('/assets/follow-up-code.js');
              const keys = await import('/assets/follow-up-keys.js');
              const hex = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));
              const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
              const v = hex('0330557a9fc4e90e33587da2');
              const parsed = async (text) => { const r = await code.parseCode(text); return r.kind + (r.value ? ':' + toHex(r.value) : ''); };
              const right = await keys.deriveFollowUpKeys(v);
              const wrong = await keys.deriveFollowUpKeys(hex('0330557a9fc4e90e33587da3'));
              const enrolment = await keys.enrolFollowUp(v);
              const privateKey = await keys.openSealedKey(enrolment.sealedKey, right.sealingKey);
              const question = new TextEncoder().encode(JSON.stringify({ v: 1, text: '어느 시설입니까?', language: 'ko', thread: 'ref' }));
              const message = await keys.encryptMessageToReporter(question, enrolment.key);
              const opened = await keys.decryptMessage(message, privateKey);
              const header = JSON.parse(atob(message.split('.')[0].replace(/-/g, '+').replace(/_/g, '/')));
              return {
                letters: await code.formatLetters(v),
                digits: await code.formatDigits(v),
                lowerCaseWithLookAlikes: await parsed('sganx 9zh79 irsng zd2hq'),
                fullWidthDigits: await parsed('０９８６ ８８７１ ３１９７ １９４１ １１３６ ３４７８ ２６２６ ６３４６'),
                typo: await parsed('SGANX-9ZH79-1RSNG-ZD2HR'),
                short: await parsed('SGANX-9ZH79'),
                lookup: right.lookup,
                enrolledLookup: enrolment.lookup,
                sealedKeyLength: String(enrolment.sealedKey.length),
                opensWithRightCode: String(Boolean(await keys.openSealedKey(enrolment.sealedKey, right.sealingKey))),
                opensWithWrongCode: String(Boolean(await keys.openSealedKey(enrolment.sealedKey, wrong.sealingKey))),
                messageText: opened.text + '|' + opened.thread,
                messageKidIsThumbprint: String(header.kid === await keys.thumbprintOf(enrolment.key) && header.alg === 'ECDH-ES'),
              };
            }
            """);

        Assert.Equal("SGANX-9ZH79-1RSNG-ZD2HQ", result["letters"]);
        Assert.Equal("0986 8871 3197 1941 1136 3478 2626 6346", result["digits"]);
        Assert.Equal("ok:0330557a9fc4e90e33587da2", result["lowerCaseWithLookAlikes"]);
        Assert.Equal("ok:0330557a9fc4e90e33587da2", result["fullWidthDigits"]);
        Assert.Equal("typo", result["typo"]);
        Assert.Equal("length", result["short"]);
        Assert.Equal("ZwnZES-yd9dBPAeHpK1OysonRyFV4UUBtK2_Sev1-zM", result["lookup"]);
        Assert.Equal(result["lookup"], result["enrolledLookup"]);
        Assert.Equal("272", result["sealedKeyLength"]);
        Assert.Equal("true", result["opensWithRightCode"]);
        Assert.Equal("false", result["opensWithWrongCode"]);
        Assert.Equal("어느 시설입니까?|ref", result["messageText"]);
        Assert.Equal("true", result["messageKidIsThumbprint"]);
        Assert.Empty(session.ConsoleErrors);
        Assert.Empty(await session.CspViolationsAsync());
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    public async Task Reporter_gets_a_code_an_editor_asks_the_reporter_reads_and_answers_and_the_editor_sees_the_answer_and_the_trail(string lang)
    {
        var marker = TestTips.NewMarker();
        string letters;
        string digits;
        await using (var form = await BrowserSession.OpenAsync(_browser, new Uri(_host.Host.BaseAddress, $"?lang={lang}"), Options(lang)))
        {
            await form.Page.Locator("[name=category][value='detention']").CheckAsync();
            await form.Page.Locator("[name=narrative]").FillAsync($"Follow-up test report {marker}");
            await form.Page.Locator("#tip-form [type=submit]").ClickAsync();
            var code = form.Page.Locator("#receipt-code");
            await Assertions.Expect(code).ToBeVisibleAsync(new() { Timeout = 30_000 });
            letters = (await code.InnerTextAsync()).Trim();
            await form.Page.Locator("#receipt-code-form").ClickAsync();
            digits = (await code.InnerTextAsync()).Trim();
            Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", letters);
            Assert.Matches("^[0-9]{4}( [0-9]{4}){7}$", digits);
            Assert.True(await form.Page.Locator("a[href^='/follow-up']").First.IsVisibleAsync());
            Assert.Empty(await form.CspViolationsAsync());
        }

        // A second report without follow-up, for the list's filter to leave out.
        var other = TestTips.NewMarker();
        using (var posted = await TestTips.PostAsync(_host.Http, await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson($"Another report {other}"))))
        {
            Assert.Equal(202, (int)posted.StatusCode);
        }

        var tip = await _host.WaitForTipAsync(marker);
        await _host.WaitForTipAsync(other);
        Assert.Equal("active", tip.GetString("FollowUp"));
        var tables = new TableServiceClient(_host.ConnectionString);

        // The processor writes the key row just after the tip's row.
        await Eventually.HoldsAsync(
            async () => (await tables.GetTableClient("FollowUpKeys").GetEntityIfExistsAsync<TableEntity>(tip.GetString("LookupHash"), tip.RowKey)).HasValue,
            "the tip's follow-up key row");

        // An Editor opens the conversation and asks, in the triage page's language; the page encrypts the question.
        var question = $"{Text(lang, "question")} {TestTips.NewMarker()}";
        await using var triage = await BrowserSession.OpenAsync(
            _browser, new Uri(_host.Host.BaseAddress, $"triage?lang={lang}"), new() { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await triage.Page.Locator("#signin-dev-editor").ClickAsync();
        var row = triage.Page.Locator($"#tip-list button[data-id='{tip.RowKey}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await row.ClickAsync();
        await triage.Page.Locator("#thread-open").ClickAsync();
        await Assertions.Expect(triage.Page.Locator("#thread-form")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await triage.Page.Locator("#thread-text").FillAsync(question);
        await triage.Page.Locator("#thread-send").ClickAsync();
        await Assertions.Expect(triage.Page.Locator("#thread-list")).ToContainTextAsync(question, new() { Timeout = 30_000 });

        await using var session = await OpenFollowUpAsync(lang);
        var page = session.Page;

        // A typo is named before any request; a well-formed wrong code gets an answer that looks the same on the wire
        // and is found out on this device.
        await page.Locator("#follow-up-code").FillAsync(letters[..^1] + (letters[^1] == 'A' ? 'B' : 'A'));
        await page.Locator("#follow-up-open").ClickAsync();
        await Assertions.Expect(page.Locator("#follow-up-status")).ToContainTextAsync(Text(lang, "typo"));
        Assert.DoesNotContain(session.Requests, url => url.EndsWith(LookupPath, StringComparison.Ordinal));

        var wrong = await page.EvaluateAsync<string>(
            "async () => { const c = await import('/assets/follow-up-code.js'); return c.formatLetters(c.newCodeValue()); }");
        await page.Locator("#follow-up-code").FillAsync(wrong);
        await page.Locator("#follow-up-open").ClickAsync();
        await Assertions.Expect(page.Locator("#follow-up-status")).ToContainTextAsync(Text(lang, "notRecognised"), new() { Timeout = 30_000 });
        Assert.True(await page.Locator("#thread").IsHiddenAsync());

        // The right code as a Korean keyboard may give it: full-width digits; in English, lower case with spaces.
        var typed = lang == "ko"
            ? string.Concat(digits.Select(c => char.IsAsciiDigit(c) ? (char)(c - '0' + '０') : c))
            : letters.Replace('-', ' ').ToLowerInvariant();
        await page.Locator("#follow-up-code").FillAsync(typed);
        await page.Locator("#follow-up-open").ClickAsync();
        await Assertions.Expect(page.Locator("#thread")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#thread-status")).ToContainTextAsync(Text(lang, "received"));
        await Assertions.Expect(page.Locator("#thread-messages .message")).ToContainTextAsync(question);
        Assert.True(await page.Locator("#thread-empty").IsHiddenAsync());
        Assert.Equal("", await page.Locator("#follow-up-code").InputValueAsync());

        // The reporter answers; once processed, the answer is in the tip's thread and comes back in the next lookup,
        // encrypted to the reporter's key and opened on this device.
        var answer = $"{Text(lang, "answer")} {TestTips.NewMarker()}";
        await page.Locator("#answer-text").FillAsync(answer);
        await page.Locator("#answer-send").ClickAsync();
        await Assertions.Expect(page.Locator("#answer-status")).ToContainTextAsync(Text(lang, "answerSent"), new() { Timeout = 30_000 });
        var stored = await Eventually.ReturnsAsync(
            async () => await tables.GetTableClient("TipMessages").QueryAsync<TableEntity>(e => e.PartitionKey == tip.RowKey && e.GetString("From") == "reporter").FirstOrDefaultAsync(),
            "the answer in the tip's thread");
        Assert.Equal(answer, stored.GetString("Text"));
        Assert.Equal("reporter", stored.GetString("From"));
        Assert.DoesNotContain(answer, stored.GetString("ForReporter"), StringComparison.Ordinal);
        // The processor appends the message, records the event, then sets the flags: wait for the last step.
        await Eventually.HoldsAsync(
            async () => (await _host.Tips.GetEntityAsync<TableEntity>(tip.PartitionKey, tip.RowKey)).Value.GetBoolean("NewAnswers") == true,
            "the tip flagged as having new answers");
        var events = await tables.GetTableClient("TipEvents").QueryAsync<TableEntity>(e => e.PartitionKey == tip.RowKey).ToListAsync();
        var received = Assert.Single(events, e => e.GetString("Action") == "answer-received");
        Assert.Equal("reporter", received.GetString("Actor"));
        Assert.Equal(0, received.GetDateTimeOffset("At")!.Value.Minute);

        await page.Locator("#follow-up-code").FillAsync(typed);
        await page.Locator("#follow-up-open").ClickAsync();
        await Assertions.Expect(page.Locator("#thread-messages .message.from-reporter")).ToContainTextAsync(answer, new() { Timeout = 30_000 });
        Assert.DoesNotContain(answer, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(question, _host.Logs.All, StringComparison.Ordinal);

        // The list shows the tip as having new answers, and the search finds it by that flag alone.
        await triage.Page.Locator("#queues-refresh").ClickAsync();
        await Assertions.Expect(row.Locator(".badge.flag-newAnswers")).ToHaveTextAsync(Text(lang, "newAnswers"), new() { Timeout = 30_000 });
        Assert.Equal(0, await row.Locator(".badge.flag-awaitingReporter").CountAsync());
        var unflagged = await triage.Page.Locator("#tip-list button[data-id]:not(:has(.flag-newAnswers))").CountAsync();
        await triage.Page.Locator("#search-filters > summary").ClickAsync();
        await triage.Page.Locator("#search-answers").CheckAsync();
        await triage.Page.Locator("#search-submit").ClickAsync();
        await Assertions.Expect(triage.Page.Locator("#tip-list button[data-id]:not(:has(.flag-newAnswers))")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(row).ToBeVisibleAsync();
        Assert.True(unflagged > 0, "the unfiltered list held a tip without new answers, so the filter had something to leave out");
        await triage.Page.Locator("#search-clear").ClickAsync();

        // The Editor sees the answer, marks it read, and the trail names every step without a word of either text.
        await row.ClickAsync();
        await triage.Page.Locator("#thread-open").ClickAsync();
        await Assertions.Expect(triage.Page.Locator("#thread-list")).ToContainTextAsync(answer, new() { Timeout = 30_000 });
        await Assertions.Expect(triage.Page.Locator("#thread-state")).ToContainTextAsync(Text(lang, "newAnswers"));
        await triage.Page.Locator("#thread-mark-read").ClickAsync();
        await Assertions.Expect(triage.Page.Locator("#thread-mark-read")).ToBeHiddenAsync(new() { Timeout = 30_000 });
        var trail = triage.Page.Locator("#event-list");
        foreach (var action in new[] { "messageSent", "answerReceived", "answersRead", "threadViewed" })
        {
            await Assertions.Expect(trail).ToContainTextAsync(Text(lang, action), new() { Timeout = 30_000 });
        }

        Assert.DoesNotContain(answer, await trail.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(question, await trail.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(await triage.CspViolationsAsync());
        Assert.Empty(triage.ConsoleErrors);
        var messages = await tables.GetTableClient("TipMessages").QueryAsync<TableEntity>(e => e.PartitionKey == tip.RowKey).ToListAsync();
        Assert.DoesNotContain(question, string.Join("\n", messages.SelectMany(m => m.Select(pair => pair.Value?.ToString()))), StringComparison.Ordinal);

        // The code went nowhere: not in a URL, not in the browser's storage, not in a log line.
        Assert.All(session.Requests, url => Assert.StartsWith(_host.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => localStorage.length + sessionStorage.length"));
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));
        foreach (var secret in new[] { letters, letters.Replace("-", "", StringComparison.Ordinal), digits.Replace(" ", "", StringComparison.Ordinal) })
        {
            Assert.DoesNotContain(secret, _host.Logs.All, StringComparison.Ordinal);
            Assert.All(session.Requests, url => Assert.DoesNotContain(secret, url, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(session.ConsoleErrors, e => !e.Contains("403", StringComparison.Ordinal));
        Assert.Empty(await session.CspViolationsAsync());
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    public async Task A_report_sent_without_JavaScript_shows_its_code_in_both_forms_and_the_follow_up_page_opens_its_thread_with_it(string lang)
    {
        var marker = TestTips.NewMarker();
        string letters;
        string digits;
        var noScript = Options(lang);
        noScript.JavaScriptEnabled = false;
        await using (var form = await BrowserSession.OpenAsync(_browser, new Uri(_host.Host.BaseAddress, $"?lang={lang}"), noScript))
        {
            Assert.True(await form.Page.Locator("#follow-up-note").IsVisibleAsync(), "The form says a code follows, with or without scripts.");
            await form.Page.Locator("[name=category][value='detention']").CheckAsync();
            await form.Page.Locator("[name=narrative]").FillAsync($"Follow-up test report sent without scripts {marker}");
            await form.Page.Locator("#tip-form [type=submit]").ClickAsync();
            await form.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/submit$"));

            // No script can switch the forms, so the page shows both.
            letters = (await form.Page.Locator("#receipt-code").InnerTextAsync()).Trim();
            digits = (await form.Page.Locator("#receipt-code-digits").InnerTextAsync()).Trim();
            Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", letters);
            Assert.Matches("^[0-9]{4}( [0-9]{4}){7}$", digits);
            Assert.True(await form.Page.Locator("#receipt-code-digits").IsVisibleAsync());
            Assert.True(await form.Page.Locator("a[href^='/follow-up']").First.IsVisibleAsync());
            Assert.Equal(0, await form.Page.Locator("#receipt-code-form").CountAsync());
        }

        var tip = await _host.WaitForTipAsync(marker);
        Assert.Equal("active", tip.GetString("FollowUp"));
        await Eventually.HoldsAsync(
            async () => (await new TableServiceClient(_host.ConnectionString).GetTableClient("FollowUpKeys").GetEntityIfExistsAsync<TableEntity>(tip.GetString("LookupHash"), tip.RowKey)).HasValue,
            "the tip's follow-up key row");

        // The page's own script parses the server's code, derives the keys and opens the sealed key the server made.
        await using var session = await OpenFollowUpAsync(lang);
        var page = session.Page;
        var typed = lang == "ko"
            ? string.Concat(digits.Select(c => char.IsAsciiDigit(c) ? (char)(c - '0' + '０') : c))
            : letters.Replace('-', ' ').ToLowerInvariant();
        await page.Locator("#follow-up-code").FillAsync(typed);
        await page.Locator("#follow-up-open").ClickAsync();
        await Assertions.Expect(page.Locator("#thread")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#thread-status")).ToContainTextAsync(Text(lang, "received"));

        foreach (var secret in new[] { letters, letters.Replace("-", "", StringComparison.Ordinal), digits, digits.Replace(" ", "", StringComparison.Ordinal) })
        {
            Assert.DoesNotContain(secret, _host.Logs.All, StringComparison.Ordinal);
            Assert.All(session.Requests, url => Assert.DoesNotContain(secret, url, StringComparison.Ordinal));
        }

        Assert.Empty(await session.CspViolationsAsync());
    }

    [Fact]
    public async Task Follow_up_page_is_served_in_each_language_under_the_strict_policy()
    {
        foreach (var lang in new[] { "en", "ko", "zh-Hans" })
        {
            using var response = await _host.Http.GetAsync(new Uri($"/follow-up?lang={lang}", UriKind.Relative));
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            Assert.Contains("script-src 'self'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains($"<html lang=\"{lang}\"", html, StringComparison.Ordinal);
            Assert.Contains("id=\"follow-up-code\"", html, StringComparison.Ordinal);
            Assert.Contains("id=\"quick-exit\"", html, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("en")]
    [InlineData("ko")]
    [InlineData("zh-Hans")]
    public async Task Axe_finds_no_serious_or_critical_violation_on_the_follow_up_page(string lang)
    {
        await using var session = await OpenFollowUpAsync(lang);

        // With a message showing, as after a typo.
        await session.Page.Locator("#follow-up-code").FillAsync("ABCDE");
        await session.Page.Locator("#follow-up-open").ClickAsync();
        await Assertions.Expect(session.Page.Locator("#follow-up-status")).Not.ToBeEmptyAsync();
        var results = await session.Page.RunAxe();

        var serious = results.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
        Assert.Equal(lang, await session.Page.GetAttributeAsync("html", "lang"));
    }

    private Task<BrowserSession> OpenFollowUpAsync(string lang) =>
        BrowserSession.OpenAsync(_browser, new Uri(_host.Host.BaseAddress, $"follow-up?lang={lang}"), Options(lang));

    private static BrowserNewContextOptions Options(string lang) => new()
    {
        ViewportSize = new ViewportSize { Width = 360, Height = 780 },
        Locale = lang == "ko" ? "ko-KR" : "en-GB",
    };

    /// <summary>A distinctive piece of the page's text for a follow-up message, in the page language.</summary>
    private static string Text(string lang, string message) => (lang, message) switch
    {
        ("ko", "typo") => "잘못 입력된",
        ("ko", "notRecognised") => "확인할 수 없습니다",
        ("ko", "received") => "접수되었습니다",
        ("ko", "answer") => "네, 도문 구류소입니다. 이송은 금요일이라고 들었습니다.",
        ("ko", "question") => "어느 시설입니까? 이송은 언제입니까?",
        ("ko", "newAnswers") => "새 답변",
        ("ko", "messageSent") => "제보자에게 메시지 보냄",
        ("ko", "answerReceived") => "제보자의 답변",
        ("ko", "answersRead") => "답변 읽음 표시",
        ("ko", "threadViewed") => "대화 열람",
        (_, "question") => "Which facility? When is the transfer?",
        (_, "newAnswers") => "New answers",
        (_, "messageSent") => "Message sent to the reporter",
        (_, "answerReceived") => "Answer from the reporter",
        (_, "answersRead") => "Answers marked as read",
        (_, "threadViewed") => "Conversation opened",
        ("ko", "answerSent") => "답변을 보냈습니다",
        (_, "answer") => "Yes, the Tumen detention centre. The transfer is said to be on Friday.",
        (_, "answerSent") => "Your answer was sent",
        (_, "typo") => "typing mistake",
        (_, "notRecognised") => "not recognised",
        _ => "Received",
    };
}
