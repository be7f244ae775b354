using System.Net;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Jwe;
using TipIntake.Infrastructure.Storage;
using TipIntake.IntegrationTests.FollowUp;
using TipIntake.IntegrationTests.Triage;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// Follow-up without JavaScript (docs/follow-up.md, "The no-script path"), through the real worker: the reporter's
/// tip and code are made as the script path makes them, an Editor asks over the API, and the reporter — in Chromium
/// with scripts off — opens the thread with the code on the server, reads the question and answers; the answer lands
/// in the tip's thread. The code goes into no URL and no log line, nor do the texts; a typo and a wrong code are named;
/// forged and expired sessions and an empty bucket are refused with the form again. The host logs every category at
/// Trace, as for the privacy proof.
/// </summary>
public sealed class NoScriptFollowUpTests : IAsyncLifetime
{
    private TriageHost _triage = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        // Every category at Trace, as for the privacy proof: the code and the texts must be in no line at any level.
        var settings = Privacy.PrivacyProofTests.TraceEverything(TipIntake.LocalHost.Worker.FunctionsApp.Locate().HostJsonPath);
        foreach (var (name, value) in FollowUpLookupTests.GenerousBucket)
        {
            settings[name] = value;
        }

        settings["FollowUp:MaxFormLookupsPerMinute"] = "1000";
        _triage = await TriageHost.StartAsync(settings);
        _browser = await Chromium.BrowserAsync();
    }

    public async Task DisposeAsync() => await _triage.DisposeAsync();

    private TestHost Host => _triage.Host;

    [Fact]
    public async Task Without_scripts_the_reporter_reads_the_question_and_answers_and_neither_code_nor_text_is_logged_or_in_a_url()
    {
        var reporter = FollowUpClient.New();
        var (id, threadRef) = await EnrolAsync(reporter);
        var question = $"어느 시설입니까? 이송은 언제입니까? {TestTips.NewMarker()}";
        using (var sent = await FollowUpThreadTests.SendAsync(_triage, id, await FollowUpThreadTests.MessageAsync(Host, reporter, question, threadRef, awaitReply: true)))
        {
            Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        }

        await using var session = await BrowserSession.OpenAsync(_browser, new Uri(Host.Host.BaseAddress, "follow-up?lang=ko"), new BrowserNewContextOptions
        {
            JavaScriptEnabled = false,
            ViewportSize = new ViewportSize { Width = 360, Height = 780 },
            Locale = "ko-KR",
        });
        var page = session.Page;

        // The page says what this path cannot offer, and its form posts without the script's button.
        await Assertions.Expect(page.Locator("main .notice")).ToContainTextAsync("서버로 보내집니다");
        Assert.True(await page.Locator("#follow-up-open").IsHiddenAsync());

        // A typo is named (and costs no lookup: see the bucket test below); a wrong code is not recognised.
        var typo = reporter.Letters[..^1] + (reporter.Letters[^1] == 'A' ? 'B' : 'A');
        Assert.Equal(422, await PostCodeAsync(page, typo));
        await Assertions.Expect(page.Locator("#follow-up-status")).ToContainTextAsync("잘못 입력된");
        Assert.Equal(200, await PostCodeAsync(page, FollowUpClient.New().Letters));
        await Assertions.Expect(page.Locator("#follow-up-status")).ToContainTextAsync("확인할 수 없습니다");
        Assert.Equal(0, await page.Locator("#form-thread").CountAsync());

        // The right code as a Korean keyboard gives it: full-width digits.
        var typed = string.Concat(reporter.Digits.Select(c => char.IsAsciiDigit(c) ? (char)(c - '0' + '０') : c));
        Assert.Equal(200, await PostCodeAsync(page, typed));
        await Assertions.Expect(page.Locator("#form-thread-status")).ToContainTextAsync("접수되었습니다");
        await Assertions.Expect(page.Locator("#form-thread-messages .message")).ToContainTextAsync(question);
        Assert.Equal(0, await page.Locator("[name=code]").CountAsync());
        var sessionValue = await page.Locator("#form-answer [name=session]").InputValueAsync();
        Assert.Equal(FollowUpSessions.Length, sessionValue.Length);

        var answer = $"네, 도문 구류소입니다. 이송은 금요일이라고 들었습니다.\n둘째 줄 {TestTips.NewMarker()}";
        await page.Locator("#form-answer-text").FillAsync(answer);
        var answered = await page.RunAndWaitForResponseAsync(() => page.Locator("#form-answer-send").ClickAsync(), PostTo("/follow-up/answer"));
        Assert.Equal(200, answered.Status);
        await Assertions.Expect(page.Locator("#follow-up-status")).ToContainTextAsync("답변을 보냈습니다");

        var tables = new TableServiceClient(Host.ConnectionString);
        var stored = await Eventually.ReturnsAsync(
            async () => await tables.GetTableClient(StorageNames.MessagesTable).QueryAsync<TableEntity>(e => e.PartitionKey == id && e.GetString("From") == "reporter").FirstOrDefaultAsync(),
            "the answer in the tip's thread");
        Assert.Equal(answer, stored.GetString("Text"));
        await Eventually.HoldsAsync(
            async () => (await _triage.EventsAsync(id)).Any(e => e.GetProperty("action").GetString() == "answer-received"), "the answer-received event");

        // The next visit shows the answer too, opened on the server from the reporter's copy.
        Assert.Equal(200, await PostCodeAsync(page, reporter.Letters.ToLowerInvariant()));
        await Assertions.Expect(page.Locator("#form-thread-messages .message.from-reporter")).ToContainTextAsync("둘째 줄");

        foreach (var secret in new[] { reporter.Letters, reporter.Letters.Replace("-", "", StringComparison.Ordinal), reporter.Digits.Replace(" ", "", StringComparison.Ordinal), typed, typo })
        {
            Assert.DoesNotContain(secret, Host.Logs.All, StringComparison.Ordinal);
            Assert.All(session.Requests, url => Assert.DoesNotContain(Uri.EscapeDataString(secret), url, StringComparison.Ordinal));
            Assert.All(session.Requests, url => Assert.DoesNotContain(secret, url, StringComparison.Ordinal));
        }

        foreach (var value in new[] { question, answer, sessionValue, threadRef, reporter.Lookup })
        {
            Assert.DoesNotContain(value, Host.Logs.All, StringComparison.Ordinal);
        }

        Assert.All(session.Requests, url => Assert.StartsWith(Host.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
        Assert.Contains(Host.Logs.Lines, line => line.StartsWith("Trace Function.", StringComparison.Ordinal) || line.StartsWith("Debug Function.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forged_or_expired_session_is_refused_and_asks_for_the_code_again_and_a_live_one_is_taken_once_per_page()
    {
        var reporter = FollowUpClient.New();
        var (id, threadRef) = await EnrolAsync(reporter);
        var lookup = JoseBase64.DecodeCanonical(reporter.Lookup, 32)!;
        var secrets = Host.App.GetRequiredService<FollowUpSecrets>();
        var expired = new FollowUpSessions(secrets, Options.Create(new FollowUpOptions()), new PastTime(TimeSpan.FromMinutes(16))).Seal(lookup, threadRef);
        var live = new FollowUpSessions(secrets, Options.Create(new FollowUpOptions()), TimeProvider.System).Seal(lookup, threadRef);
        var forged = JoseBase64.Encode(RandomNumberGenerator.GetBytes(84));
        var submission = JoseBase64.Encode(RandomNumberGenerator.GetBytes(16));
        var answer = $"Friday {TestTips.NewMarker()}";

        foreach (var refused in new[] { expired, forged })
        {
            using var response = await PostAnswerAsync(refused, submission, answer);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("Your answer was not sent", html, StringComparison.Ordinal);
            Assert.Contains("id=\"follow-up-code\"", html, StringComparison.Ordinal);
            Assert.DoesNotContain(answer, html, StringComparison.Ordinal);
        }

        // The same page posted twice is one answer.
        for (var i = 0; i < 2; i++)
        {
            using var response = await PostAnswerAsync(live, submission, answer);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Your answer was sent", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var messages = new TableServiceClient(Host.ConnectionString).GetTableClient(StorageNames.MessagesTable);
        await Eventually.HoldsAsync(
            async () => (await _triage.EventsAsync(id)).Any(e => e.GetProperty("action").GetString() == "answer-received"), "the answer-received event");
        await Host.WaitUntilInboundIsEmptyAsync();
        var stored = Assert.Single(await messages.QueryAsync<TableEntity>(e => e.PartitionKey == id && e.GetString("From") == "reporter").ToListAsync());
        Assert.Equal(answer, stored.GetString("Text"));
        Assert.DoesNotContain(answer, Host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_no_script_bucket_refuses_with_the_form_again_and_a_typo_takes_no_token()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string> { ["FollowUp:MaxFormLookupsPerMinute"] = "1" });
        var wrong = FollowUpClient.New();

        for (var i = 0; i < 3; i++)
        {
            using var typo = await PostCodeAsync(host, wrong.Letters[..^1] + (wrong.Letters[^1] == 'A' ? 'B' : 'A'));
            Assert.Equal((HttpStatusCode)422, typo.StatusCode);
            Assert.Contains("typing mistake", await typo.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var first = await PostCodeAsync(host, wrong.Letters))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Contains("not recognised", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var limited = await PostCodeAsync(host, wrong.Digits);
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        var html = await limited.Content.ReadAsStringAsync();
        Assert.Contains("Many people are using the service", html, StringComparison.Ordinal);
        Assert.Contains("id=\"follow-up-code\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong.Digits, html, StringComparison.Ordinal);
    }

    /// <summary>A tip enrolled as the script path enrols it, and its thread's ref once the processor wrote the key row.</summary>
    private async Task<(string Id, string Ref)> EnrolAsync(FollowUpClient reporter)
    {
        var id = (await FollowUpLookupTests.EnrolAsync(Host, reporter.Member())).RowKey;
        var keys = new TableServiceClient(Host.ConnectionString).GetTableClient(StorageNames.FollowUpKeysTable);
        var row = await Eventually.ReturnsAsync(
            async () => await keys.QueryAsync<TableEntity>(e => e.RowKey == id).FirstOrDefaultAsync(), "the tip's follow-up key row");
        return (id, row.GetString("Ref"));
    }

    /// <summary>Types <paramref name="code"/> into the page's form and posts it as the browser does without scripts; the answer's status.</summary>
    private static async Task<int> PostCodeAsync(IPage page, string code)
    {
        if (await page.Locator("#follow-up-code").CountAsync() == 0)
        {
            await page.Locator("#form-thread-close").ClickAsync();
        }

        await page.Locator("#follow-up-code").FillAsync(code);
        // The callers' web-first assertions wait for the page that answer brings; waiting for a load state here could
        // attach to the document being replaced and never see the next one's (it timed out once in CI).
        var response = await page.RunAndWaitForResponseAsync(() => page.Locator("#follow-up-post").ClickAsync(), PostTo("/follow-up"));
        return response.Status;
    }

    private static Func<IResponse, bool> PostTo(string path) =>
        response => response.Request.Method == "POST" && new Uri(response.Url).AbsolutePath == path;

    private static Task<HttpResponseMessage> PostCodeAsync(TestHost host, string code) =>
        host.Http.PostAsync(new Uri("follow-up", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string> { ["lang"] = "en", ["code"] = code }));

    private Task<HttpResponseMessage> PostAnswerAsync(string session, string submission, string text) =>
        Host.Http.PostAsync(new Uri("follow-up/answer", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["lang"] = "en",
            ["session"] = session,
            ["submission"] = submission,
            ["text"] = text,
        }));

    /// <summary>The clock as it was <paramref name="ago"/>: a session sealed then has expired now.</summary>
    private sealed class PastTime(TimeSpan ago) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() - ago;
    }
}
