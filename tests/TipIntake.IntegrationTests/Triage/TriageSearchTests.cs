using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using TipIntake.Core.Tips;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>Search over HTTP on the local host against real Azurite: words in Korean, Chinese and English, places in any script, filters.</summary>
public sealed class TriageSearchTests : IAsyncLifetime
{
    private TriageHost _host = null!;
    private string _korean = null!;
    private string _chinese = null!;
    private string _english = null!;

    public async Task InitializeAsync()
    {
        _host = await TriageHost.StartAsync();
        _korean = await _host.SeedTipAsync(new Tip(
            TipCategories.Detention,
            "어제 남편이 도문 변방대 구류소로 끌려갔습니다. 다음 주에 북송된다고 합니다.",
            TipUrgencies.Imminent,
            new TipLocation("CN", "길림성", "도문"),
            new DateOnly(2026, 11, 2),
            null,
            1,
            "ko",
            "카카오톡 abc123"), "urgent", 1);
        _chinese = await _host.SeedTipAsync(new Tip(
            TipCategories.Trafficking,
            "她被卖到延吉附近的一个村子，被迫结婚。",
            TipUrgencies.Soon,
            new TipLocation("CN", "吉林", "延吉"),
            new DateOnly(2026, 10, 1),
            null,
            1,
            "zh-Hans",
            null), "trafficking", 3);
        _english = await _host.SeedTipAsync(new Tip(
            TipCategories.ForcedRepatriation,
            "Five people were caught near Dandong and are held by the border police. Their families in Sinuiju do not know.",
            TipUrgencies.Soon,
            new TipLocation("CN", "Liaoning", "Dandong"),
            null,
            null,
            5,
            "en",
            null), "repatriation", 2);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_Korean_narrative_is_found_by_a_two_character_Korean_word_and_by_the_Chinese_and_Latin_spellings_of_its_place()
    {
        Assert.Equal([_korean], await SearchAsync("남편"));
        Assert.Equal([_korean], await SearchAsync("북송"));
        Assert.Equal([_korean], await SearchAsync("图们"));
        Assert.Equal([_korean], await SearchAsync("Tumen"));
        Assert.Equal([_korean], await SearchAsync("투먼"));
        Assert.Empty(await SearchAsync("아내"));
    }

    [Fact]
    public async Task Chinese_and_English_narratives_are_found_by_their_words_and_places_in_other_scripts()
    {
        Assert.Equal([_chinese], await SearchAsync("结婚"));
        Assert.Equal([_chinese], await SearchAsync("연길"));
        Assert.Equal([_chinese], await SearchAsync("Yanji"));
        Assert.Equal([_english], await SearchAsync("border POLICE"));
        Assert.Equal([_english], await SearchAsync("단둥"));
        Assert.Equal([_english], await SearchAsync("新义州"));
        Assert.Empty(await SearchAsync("police Yanji"));
    }

    [Fact]
    public async Task Filters_narrow_the_search_and_work_alone()
    {
        Assert.Equal([_korean], await SearchAsync(null, "category=detention"));
        Assert.Equal([_korean, _english, _chinese], await SearchAsync(null, "country=CN"));
        Assert.Equal([_english, _chinese], await SearchAsync(null, "urgency=soon"));
        Assert.Equal([_chinese], await SearchAsync(null, "queue=trafficking&status=new"));
        Assert.Empty(await SearchAsync("남편", "urgency=soon"));
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([_korean], await SearchAsync("도문", $"receivedFrom={today}&receivedTo={today}"));
        Assert.Empty(await SearchAsync("도문", "receivedTo=2020-01-01"));

        var (tip, etag) = await _host.ReadTipAsync(_english);
        using (var labelled = await _host.ChangeAsync(_english, "labels", new { add = new[] { "verified-source" } }, etag))
        {
            Assert.Equal(HttpStatusCode.OK, labelled.StatusCode);
            etag = labelled.Headers.ETag!.ToString();
        }

        using (var assigned = await _host.ChangeAsync(_english, "assignment", new { assignee = "Kim Min-ji" }, etag))
        {
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        }

        Assert.Equal([_english], await SearchAsync(null, "label=Verified-Source"));
        Assert.Equal([_english], await SearchAsync("dandong", "assignee=" + Uri.EscapeDataString("Kim Min-ji")));
        Assert.Empty(await SearchAsync(null, "label=other"));
        Assert.Equal("new", tip.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Results_page_with_a_continuation_in_the_triage_order()
    {
        var more = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            more.Add(await _host.SeedTipAsync(new Tip(TipCategories.Detention, $"도문에서 {i}명이 잡혔습니다", TipUrgencies.Unknown, null, null, null, null, "ko", null),
                "detention", 3, Core.Intake.TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow) - TimeSpan.FromHours(i)));
        }

        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var (ids, next) = await _host.ListIdsAsync("api/triage/search?pageSize=3&q=" + Uri.EscapeDataString("도문")
                + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            seen.AddRange(ids);
            continuation = next;
            pages++;
        }
        while (continuation is not null && pages < 20);

        Assert.Equal([_korean, .. more], seen);
        Assert.True(pages >= 3);
    }

    [Fact]
    public async Task A_search_is_audited_without_what_was_searched_for_and_never_logged()
    {
        const string secret = "남편이";
        using var response = await _host.GetAsync("api/triage/search?q=" + Uri.EscapeDataString(secret) + "&country=CN", "reader");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var events = new StringBuilder();
        var searches = 0;
        await foreach (var row in new TableServiceClient(_host.Host.ConnectionString).GetTableClient(StorageNames.EventsTable).QueryAsync<TableEntity>())
        {
            if (row.PartitionKey.StartsWith("search-", StringComparison.Ordinal))
            {
                searches++;
                Assert.Equal((_host.ObjectId("reader"), "searched", "", ""), (row.GetString("Actor"), row.GetString("Action"), row.GetString("From"), row.GetString("To")));
            }

            events.AppendJoin('|', row.Select(pair => pair.Value));
        }

        Assert.Equal(1, searches);
        foreach (var needle in new[] { secret, "남편", Uri.EscapeDataString(secret) })
        {
            Assert.DoesNotContain(needle, events.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(needle, _host.Host.Logs.All, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_searches_are_refused_with_a_specific_problem_and_staff_without_a_role_get_403()
    {
        async Task<(HttpStatusCode, string?)> Problem(string query, string token = "reader")
        {
            using var response = await _host.GetAsync("api/triage/search?" + query, token);
            var type = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString()
                : null;
            return (response.StatusCode, type);
        }

        Assert.Equal((HttpStatusCode.BadRequest, "urn:tipintake:problem:triage-empty-search"), await Problem(""));
        Assert.Equal((HttpStatusCode.BadRequest, "urn:tipintake:problem:triage-invalid-query"), await Problem("q=" + new string('가', 201)));
        Assert.Equal((HttpStatusCode.BadRequest, "urn:tipintake:problem:triage-invalid-query"), await Problem("q=" + Uri.EscapeDataString("!!! ...")));
        Assert.Equal((HttpStatusCode.BadRequest, "urn:tipintake:problem:triage-invalid-category"), await Problem("category=arrest"));
        Assert.Equal((HttpStatusCode.BadRequest, "urn:tipintake:problem:triage-invalid-date"), await Problem("receivedFrom=2026-13-01"));
        Assert.Equal((HttpStatusCode.BadRequest, "urn:tipintake:problem:triage-invalid-date-range"), await Problem("receivedFrom=2026-12-02&receivedTo=2026-12-01"));
        Assert.Equal((HttpStatusCode.BadRequest, "urn:tipintake:problem:triage-repeated-parameter"), await Problem("q=a1&q=b2"));
        Assert.Equal((HttpStatusCode.BadRequest, "urn:tipintake:problem:triage-invalid-continuation"), await Problem("q=dandong&continuation=bm9wZQ"));
        Assert.Equal(HttpStatusCode.Forbidden, (await Problem("q=dandong", "norole")).Item1);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Problem("q=dandong", "forged")).Item1);
    }

    private async Task<List<string>> SearchAsync(string? text, string? filters = null)
    {
        var query = string.Join('&', new[] { text is null ? null : "q=" + Uri.EscapeDataString(text), filters }.Where(p => p is not null));
        var (ids, continuation) = await _host.ListIdsAsync("api/triage/search?" + query);
        Assert.Null(continuation);
        return ids;
    }
}
