using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TipIntake.Core.Tips;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>Related reports over HTTP on the local host against real Azurite: suggested when stored, linked and unlinked by editors.</summary>
public sealed class TriageRelatedTests : IAsyncLifetime
{
    private TriageHost _host = null!;

    public async Task InitializeAsync() => _host = await TriageHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Two_reports_of_the_same_detention_in_Korean_and_Chinese_are_suggested_to_each_other_with_the_place()
    {
        var wife = await _host.SeedTipAsync(new Tip(
            TipCategories.Detention,
            "남편이 11월 3일 도문 변방대 구류소에 잡혀 있습니다. 곧 북송될 것 같습니다.",
            TipUrgencies.Imminent,
            new TipLocation("CN", "길림성", "도문"),
            new DateOnly(2026, 11, 3),
            null,
            1,
            "ko",
            null), "urgent", 1);
        var unrelated = await _host.SeedTipAsync(new Tip(
            TipCategories.Trafficking, "She was sold to a farmer near Dandong in 2024.", TipUrgencies.Unknown,
            new TipLocation("CN", "Liaoning", "Dandong"), new DateOnly(2024, 5, 1), null, 1, "en", null));
        var church = await _host.SeedTipAsync(new Tip(
            TipCategories.Detention,
            "我们教会的一位弟兄上周在图们被抓，现在关在图们看守所，可能被遣返。",
            TipUrgencies.Soon,
            new TipLocation("CN", "吉林省", "图们"),
            new DateOnly(2026, 11, 5),
            new DateOnly(2026, 11, 6),
            1,
            "zh-Hans",
            null));

        var fromWife = await RelatedAsync(wife);
        var fromChurch = await RelatedAsync(church);

        var suggestion = Assert.Single(fromWife);
        Assert.Equal(church, suggestion.GetProperty("tip").GetProperty("id").GetString());
        Assert.Equal("suggested", suggestion.GetProperty("state").GetString());
        var reason = suggestion.GetProperty("reasons").EnumerateArray().First(r => r.GetProperty("code").GetString() == "same-place-weeks"
            && r.GetProperty("place").GetString() == "tumen");
        Assert.Contains("图们", reason.GetProperty("placeNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal(wife, Assert.Single(fromChurch).GetProperty("tip").GetProperty("id").GetString());
        Assert.Empty(await RelatedAsync(unrelated));

        // A suggestion shows the other tip's summary, never its words.
        Assert.False(suggestion.GetProperty("tip").TryGetProperty("narrative", out _));
        Assert.DoesNotContain("教会", await RawRelatedAsync(wife), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_contact_channel_is_a_reason_and_nothing_is_merged()
    {
        var first = await _host.SeedTipAsync(new Tip(TipCategories.Other, "Please call me about my sister.", TipUrgencies.Unknown,
            null, null, null, null, "en", "WeChat: kim_sister 77"));
        var second = await _host.SeedTipAsync(new Tip(TipCategories.Other, "Another message about my sister's case.", TipUrgencies.Unknown,
            null, new DateOnly(2025, 1, 1), null, null, "en", "wechat:KIM_SISTER77"));

        var related = Assert.Single(await RelatedAsync(second));

        Assert.Equal(first, related.GetProperty("tip").GetProperty("id").GetString());
        Assert.Contains(related.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "same-contact");
        var (one, _) = await _host.ReadTipAsync(first);
        var (two, _) = await _host.ReadTipAsync(second);
        Assert.Equal("Please call me about my sister.", one.GetProperty("narrative").GetString());
        Assert.Equal("Another message about my sister's case.", two.GetProperty("narrative").GetString());
    }

    [Fact]
    public async Task An_editor_links_and_unlinks_symmetrically_audited_on_both_tips_and_a_reader_cannot()
    {
        var a = await _host.SeedAsync(TestTips.NewMarker());
        var b = await _host.SeedAsync(TestTips.NewMarker());
        var c = await _host.SeedTipAsync(new Tip(TipCategories.Other, "Unrelated report from Hyesan, 2019.", TipUrgencies.Unknown,
            null, new DateOnly(2019, 3, 1), null, null, "en", null));
        await _host.WaitForContentIndexAsync();

        using (var refused = await Relate(a, c, "linked", "reader"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using (var linked = await Relate(a, c, "linked"))
        {
            Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
            var body = await linked.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("linked", "suggested"), (body.GetProperty("state").GetString(), body.GetProperty("before").GetString()));
        }

        Assert.Equal("linked", State(await RelatedAsync(a), c));
        Assert.Equal("linked", State(await RelatedAsync(c), a));
        Assert.Equal("suggested", State(await RelatedAsync(a), b));

        using (var unlinked = await Relate(c, a, "unlinked"))
        {
            Assert.Equal(HttpStatusCode.OK, unlinked.StatusCode);
        }

        Assert.Equal("unlinked", State(await RelatedAsync(a), c));
        Assert.Equal("unlinked", State(await RelatedAsync(c), a));

        var trailA = (await _host.EventsAsync(a)).Where(e => e.GetProperty("action").GetString() is "linked" or "unlinked")
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("from").GetString()}>{e.GetProperty("to").GetString()} {e.GetProperty("actor").GetString()}");
        var trailC = (await _host.EventsAsync(c)).Where(e => e.GetProperty("action").GetString() is "linked" or "unlinked")
            .Select(e => $"{e.GetProperty("action").GetString()} {e.GetProperty("from").GetString()}>{e.GetProperty("to").GetString()}");
        var editor = _host.ObjectId("editor");
        Assert.Equal([$"linked >{c} {editor}", $"unlinked {c}> {editor}"], trailA);
        Assert.Equal([$"linked >{a}", $"unlinked {a}>"], trailC);

        // Both tips are as they were: a link changes neither.
        Assert.Equal("new", (await _host.ReadTipAsync(a)).Tip.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Relating_unknown_or_same_tips_or_with_a_bad_body_is_refused()
    {
        var a = await _host.SeedAsync(TestTips.NewMarker());

        async Task<HttpStatusCode> Status(string path, object body)
        {
            using var response = await _host.SendAsync(HttpMethod.Post, path, "editor", body);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.NotFound, await Status($"api/triage/tips/{a}/related/{Core.Intake.TipIntakeService.NewTipId()}", new { state = "linked" }));
        Assert.Equal(HttpStatusCode.NotFound, await Status($"api/triage/tips/{a}/related/not-a-tip", new { state = "linked" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await Status($"api/triage/tips/{a}/related/{a}", new { state = "linked" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await Status($"api/triage/tips/{a}/related/{a}", new { state = "merged" }));
        Assert.Equal(HttpStatusCode.BadRequest, await Status($"api/triage/tips/{a}/related/{a}", "{\"state\":\"linked\",\"x\":1}"));
        using var unknown = await _host.GetAsync($"api/triage/tips/{Core.Intake.TipIntakeService.NewTipId()}/related", "reader");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private Task<HttpResponseMessage> Relate(string tip, string other, string state, string token = "editor") =>
        _host.SendAsync(HttpMethod.Post, $"api/triage/tips/{tip}/related/{other}", token, new { state });

    private static string? State(List<JsonElement> related, string other) =>
        related.FirstOrDefault(r => r.GetProperty("tip").GetProperty("id").GetString() == other) is { ValueKind: JsonValueKind.Object } found
            ? found.GetProperty("state").GetString()
            : null;

    private async Task<List<JsonElement>> RelatedAsync(string id)
    {
        using var response = await _host.GetAsync($"api/triage/tips/{id}/related", "reader");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];
    }

    private async Task<string> RawRelatedAsync(string id)
    {
        using var response = await _host.GetAsync($"api/triage/tips/{id}/related", "reader");
        return await response.Content.ReadAsStringAsync();
    }
}
