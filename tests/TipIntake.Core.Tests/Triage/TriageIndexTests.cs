using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TipIntake.Core.Staff;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Index;
using TipIntake.Core.Triage.Related;
using TipIntake.Core.Triage.Search;

namespace TipIntake.Core.Tests.Triage;

/// <summary>The index's keys, sets, joins, search, suggestions, batches and repair, on the in-memory sets.</summary>
public class TriageIndexTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly StaffMember Reader = new("oid-reader", "Reader", new HashSet<string> { StaffRoles.Reader });

    private readonly FakeTriageStore _store = new();
    private readonly FakeIndexSets _sets = new();
    private readonly FakeTipLocator _locator = new();
    private readonly FakeTipRelations _relations;
    private readonly IndexHasher _hasher = new(RandomNumberGenerator.GetBytes(32));
    private readonly TriageIndexer _indexer;
    private readonly TriageLists _lists;

    public TriageIndexTests()
    {
        _relations = new FakeTipRelations(_store);
        _indexer = new TriageIndexer(_sets, _locator, _relations, _hasher, Gazetteer.Default);
        _lists = new TriageLists(_sets, _store, _hasher, Gazetteer.Default, new FixedTime(Now), Options.Create(new TriageOptions()), NullLogger<TriageLists>.Instance);
    }

    [Fact]
    public void Order_keys_sort_as_the_triage_order_and_give_back_their_parts()
    {
        var tips = Enumerable.Range(0, 200).Select(i => Summary(priority: 1 + (i % 9), hoursAgo: i % 13)).ToList();

        var byKey = tips.OrderBy(IndexKeys.Order, StringComparer.Ordinal).Select(t => t.Id);

        Assert.Equal(tips.Order(TriageOrder.Instance).Select(t => t.Id), byKey);
        var key = IndexKeys.Order(tips[5]);
        Assert.True(IndexKeys.IsOrderKey(key));
        Assert.Equal((tips[5].Priority, tips[5].ReceivedHour, tips[5].Id), (IndexKeys.PriorityOf(key), IndexKeys.ReceivedHourOf(key), IndexKeys.TipIdOf(key)));
        Assert.False(IndexKeys.IsOrderKey(key[..^1] + "G"));
        Assert.True(string.CompareOrdinal(IndexKeys.Due(Now.AddHours(-3), tips[0].Id), IndexKeys.DueBoundary(Now.AddHours(-2))) < 0);
        Assert.True(string.CompareOrdinal(IndexKeys.Due(Now.AddHours(-1), tips[0].Id), IndexKeys.DueBoundary(Now.AddHours(-2))) > 0);
    }

    [Fact]
    public async Task A_leapfrog_join_finds_exactly_the_common_keys_in_order_and_resumes_where_its_work_bound_stopped_it()
    {
        var random = new Random(17);
        var keys = Enumerable.Range(0, 400).Select(i => IndexKeys.Order(1 + random.Next(3), Now.AddHours(-random.Next(30)), Id())).Order(StringComparer.Ordinal).ToList();
        var a = keys.Where(_ => random.Next(3) == 0).ToList();
        var b = keys.Where(_ => random.Next(2) == 0).ToList();
        await _sets.ApplyAsync([new SetChange("a", [.. a.Select(k => new SetEntry(k, null))], []), new SetChange("b", [.. b.Select(k => new SetEntry(k, "p" + k))], [])], default);
        var expected = a.Intersect(b).Order(StringComparer.Ordinal).ToList();

        var found = new List<string>();
        var (from, inclusive) = ("", true);
        var rounds = 0;
        while (true)
        {
            var join = new SetJoin([_sets.Open("a")], _sets.Open("b"), maxReads: 3);
            var page = await join.NextAsync(from, inclusive, 7, default);
            found.AddRange(page.Select(e => e.Key));
            Assert.All(page, e => Assert.Equal("p" + e.Key, e.Payload));
            rounds++;
            if (page.Count == 7)
            {
                (from, inclusive) = (page[^1].Key, false);
            }
            else if (join.StoppedAt is { } stopped)
            {
                (from, inclusive) = stopped;
            }
            else
            {
                break;
            }
        }

        Assert.Equal(expected, found);
        Assert.True(rounds > expected.Count / 7, "The work bound must have stopped some rounds early.");
    }

    [Fact]
    public async Task A_received_range_keeps_only_keys_of_those_hours_in_every_priority_band()
    {
        var keys = Enumerable.Range(0, 120).Select(i => IndexKeys.Order(1 + (i % 4), Now.AddHours(-(i % 48)), Id())).ToList();
        await _sets.ApplyAsync([new SetChange("all", [.. keys.Select(k => new SetEntry(k, "x"))], [])], default);
        var (oldest, newest) = (Now.AddHours(-30), Now.AddHours(-10));

        var join = new SetJoin([new ReceivedRange(newest, oldest)], _sets.Open("all"), maxReads: 1000);
        var found = await join.NextAsync("", true, 1000, default);

        Assert.Equal(
            keys.Where(k => IndexKeys.ReceivedHourOf(k) >= oldest && IndexKeys.ReceivedHourOf(k) <= newest).Order(StringComparer.Ordinal),
            found.Select(e => e.Key));
    }

    [Fact]
    public void A_status_change_moves_a_tip_between_views_and_an_assignment_between_filters_leaving_the_rest()
    {
        var before = Summary(urgency: "imminent");
        var after = before with { Status = TriageStatuses.InReview, AssignedTo = "oid-a", LastChangedAt = Now };

        var changes = TipMemberships.Diff(before, after, _hasher);

        var removed = changes.Where(c => c.Removals.Count > 0).Select(c => c.Set).ToHashSet();
        var put = changes.Where(c => c.Upserts.Count > 0).Select(c => c.Set).ToHashSet();
        Assert.Equal(new HashSet<string> { TriageSets.Status("new"), TriageSets.QueueStatus("urgent", "new"), TriageSets.Due }, removed);
        Assert.Contains(TriageSets.Status("in-review"), put);
        Assert.Contains(TriageSets.Assignee(_hasher, "oid-a"), put);
        Assert.Contains(TriageSets.Due, put);
        Assert.DoesNotContain(TriageSets.Category("detention"), put);
        Assert.DoesNotContain(changes, c => c.Set.Contains("oid-a", StringComparison.Ordinal));
    }

    [Fact]
    public void Weeks_contacts_and_places_are_normalised_for_comparison()
    {
        Assert.Equal(["2026-W45"], RelatedRules.WeeksOf("2026-11-03", null, Now));
        Assert.Equal(["2026-W47", "2026-W46", "2026-W45"], RelatedRules.WeeksOf("2026-11-05", "2026-11-18", Now));
        Assert.Equal(["2026-W47"], RelatedRules.WeeksOf(null, null, Now));
        Assert.Equal(RelatedRules.MaxWeeks, RelatedRules.WeeksOf("2020-01-01", "2026-01-01", Now).Count);
        Assert.Equal(["2026-W44", "2026-W45", "2026-W46"], RelatedRules.Around("2026-W45"));
        Assert.Equal(["2026-W53", "2027-W01", "2027-W02"], RelatedRules.Around("2027-W01"));
        Assert.Equal(RelatedRules.NormalizeContact("+86 139-1234-5678"), RelatedRules.NormalizeContact("013912345678"));
        Assert.Equal("wechat:kim_77", RelatedRules.NormalizeContact(" WeChat: KIM_77 "));
        Assert.Null(RelatedRules.NormalizeContact("  "));
        Assert.Equal(["tumen", "text:somewherefarm"], RelatedRules.PlacesOf("Somewhere farm", "图们", "no places here", Gazetteer.Default));
    }

    [Fact]
    public async Task Reports_of_one_detention_in_Korean_and_Chinese_suggest_each_other_with_the_place_and_others_do_not()
    {
        var korean = await StoreAsync("남편이 도문 구류소에 잡혀 있습니다", "도문", "2026-11-03");
        var chinese = await StoreAsync("我丈夫在图们看守所", "图们", "2026-11-05");
        var otherWeek = await StoreAsync("Arrested in Tumen", "Tumen", "2026-09-01");
        var otherPlace = await StoreAsync("Held in a cell", "단둥", "2026-11-04");

        var related = await _relations.ListAsync(chinese.Summary.Id, default);

        var suggestion = Assert.Single(related);
        Assert.Equal(korean.Summary.Id, suggestion.OtherId);
        Assert.Contains(new RelationReason(RelationReasons.SamePlaceWeeks, "tumen"), suggestion.Reasons);
        Assert.Equal(chinese.Summary.Id, Assert.Single(await _relations.ListAsync(korean.Summary.Id, default)).OtherId);
        Assert.Empty(await _relations.ListAsync(otherWeek.Summary.Id, default));
        Assert.Empty(await _relations.ListAsync(otherPlace.Summary.Id, default));
    }

    [Fact]
    public async Task The_same_contact_and_several_shared_rare_words_are_reasons_too()
    {
        var first = await StoreAsync("Kwon Myong-sun crossed with Pak Chol-ho near the quarry", null, null, contact: "+86 139 1234 5678");
        var second = await StoreAsync("Pak Chol-ho and Kwon Myong-sun were seen near the quarry", null, null);
        var third = await StoreAsync("Nothing alike", null, null, contact: "0139-1234-5678");

        var toFirst = await _relations.ListAsync(first.Summary.Id, default);

        Assert.Contains(toFirst, r => r.OtherId == second.Summary.Id && r.Reasons.Any(x => x.Code == RelationReasons.SharedWords));
        Assert.Contains(toFirst, r => r.OtherId == third.Summary.Id && r.Reasons.Contains(new RelationReason(RelationReasons.SameContact)));
        Assert.DoesNotContain(await _relations.ListAsync(second.Summary.Id, default), r => r.OtherId == third.Summary.Id);
    }

    [Fact]
    public async Task Search_intersects_words_places_and_filters_and_records_only_that_a_search_happened()
    {
        var a = await StoreAsync("남편이 도문에서 잡혔습니다", "도문", null, urgency: "imminent");
        var b = await StoreAsync("아내가 图们에서 잡혔습니다", null, null);
        await StoreAsync("Dandong, nothing else", "Dandong", null);

        Assert.Equal([a.Summary.Id], await SearchAsync(new SearchRequest("남편")));
        Assert.Equal(new[] { a, b }.Select(t => t.Summary).OrderBy(IndexKeys.Order, StringComparer.Ordinal).Select(t => t.Id), await SearchAsync(new SearchRequest("Tumen 잡혔")));
        Assert.Equal([a.Summary.Id], await SearchAsync(new SearchRequest("Tumen", Urgency: "imminent")));
        Assert.Equal([b.Summary.Id], await SearchAsync(new SearchRequest("图们", Urgency: "soon")));
        Assert.Empty(await SearchAsync(new SearchRequest("남편", ReceivedTo: new DateOnly(2020, 1, 1))));

        var audit = _store.AllEvents.Where(e => e.Action == Codes.Of(TipEventAction.Searched)).ToList();
        Assert.Equal(5, audit.Count);
        Assert.All(audit, e => Assert.Equal((SearchAudit.PartitionOf(Now), "oid-reader", (string?)null, (string?)null), (e.TipId, e.Actor, e.From, e.To)));
    }

    [Theory]
    [InlineData(null, null, "empty-search")]
    [InlineData("...", null, "invalid-query")]
    [InlineData("a1 b2 c3 d4 e5 f6 g7 h8 i9 j10 k11 l12 m13", null, "invalid-query")]
    [InlineData(null, "XX", "invalid-country")]
    public async Task Searches_that_ask_for_nothing_or_too_much_are_refused_and_not_audited(string? text, string? country, string code)
    {
        var listing = await _lists.SearchAsync(new SearchRequest(text, Country: country), Reader, default);

        Assert.Equal(code, Assert.IsType<TriageListing.InvalidInput>(listing).Code);
        Assert.DoesNotContain(_store.AllEvents, e => e.Action == Codes.Of(TipEventAction.Searched));
    }

    [Fact]
    public async Task A_batch_of_pending_tips_is_indexed_at_once_their_markers_cleared_and_done_or_gone_tips_only_dropped()
    {
        var pending = Enumerable.Range(0, 5).Select(i => AddRow($"보고 {i}: 연길에서", "연길", new PendingIndex(PendingIndexKinds.New))).ToList();
        foreach (var tip in pending)
        {
            await _indexer.IndexSummaryAsync(tip.Summary, default);
        }

        var gone = Summary();
        await _sets.ApplyAsync([SetChange.Put(TriageSets.PendingContent, IndexKeys.Order(gone), gone.Queue)], default);
        var content = new ContentIndexer(_sets, _store, _indexer);

        Assert.Equal(6, await content.RunOnceAsync(default));
        Assert.Equal(0, await content.RunOnceAsync(default));

        Assert.Empty(_sets.Entries(TriageSets.PendingContent));
        Assert.All(pending, tip => Assert.Null(_store.GetAsync(tip.Summary.Id, default).Result!.PendingIndex));
        Assert.Equal(pending.Select(t => t.Summary.Id).Order(StringComparer.Ordinal), (await SearchAsync(new SearchRequest("Yanji"))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Repair_restores_lost_and_stray_entries_a_skewed_count_a_never_indexed_tip_and_completes_markers()
    {
        var tips = new List<TriageTip>();
        for (var i = 0; i < 4; i++)
        {
            tips.Add(await StoreAsync("보고서 " + i, null, null));
        }

        var legacy = AddRow("혜산에서 온 오래된 보고", null, pending: null, queue: "general");
        var marked = AddRow("이제 막 저장된 보고", null, new PendingIndex(PendingIndexKinds.New), queue: "general");
        _sets.Tamper(TriageSets.All, IndexKeys.Order(tips[0].Summary), null, remove: true);
        _sets.Tamper(TriageSets.Status("closed"), IndexKeys.Order(Summary()), "{}", remove: false);
        _sets.SkewTally(TriageSets.QueueStatus("urgent", "new"), 99);
        await _locator.PutAsync(Id(), "urgent", default);
        var repair = new TriageIndexRepair(_store, _sets, _locator, _indexer, _hasher, NullLogger<TriageIndexRepair>.Instance);

        var report = await repair.RunAsync(default);

        Assert.Equal((6, 1, 1), (report.TipsChecked, report.MarkersCompleted, report.TipsIndexed));
        Assert.True(report.TipsCorrected >= 2 && report.CountsCorrected >= 1, report.ToString());
        Assert.Equal([new TipCount("general", "new", 2), new TipCount("urgent", "new", 4)], await _lists.CountsAsync(default));
        var listed = Assert.IsType<TriageListing.Page>(await _lists.ListAsync(null, null, 100, null, default)).Value.Items.Select(t => t.Id);
        Assert.Equal(tips.Select(t => t.Summary.Id).Append(legacy.Summary.Id).Append(marked.Summary.Id).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Empty(_sets.Entries(TriageSets.Status("closed")));
        Assert.Equal([legacy.Summary.Id], await SearchAsync(new SearchRequest("Hyesan")));
        Assert.Equal(new IndexRepairReport(6, 0, 0, 0, 0), await repair.RunAsync(default));
    }

    [Fact]
    public async Task A_purged_tip_leaves_no_entry_in_any_set_nor_a_locator_nor_a_relation()
    {
        var keep = await StoreAsync("남편이 도문에서", "도문", "2026-11-03", contact: "wechat: same");
        var purge = await StoreAsync("아내가 도문에서", "도문", "2026-11-03", contact: "wechat: same");

        await _indexer.PurgeAsync(purge.Summary, purge.Content, default);

        Assert.All(_sets.SetNames, set => Assert.DoesNotContain(_sets.Entries(set), e => e.Key.EndsWith(purge.Summary.Id, StringComparison.Ordinal)));
        Assert.Null(await _locator.FindQueueAsync(purge.Summary.Id, default));
        Assert.Empty(await _relations.ListAsync(keep.Summary.Id, default));
        Assert.Contains(_sets.Entries(TriageSets.All), e => e.Key.EndsWith(keep.Summary.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Follow_up_flags_move_a_tip_in_the_index_without_a_new_version_and_survive_an_editors_change()
    {
        var a = await StoreAsync("세 명이 잡혔습니다", "Tumen", null);
        var b = await StoreAsync("Two taken at the border", "Hunchun", null);
        var flags = new TipFlags(_store, _indexer);
        var service = new TriageService(_store, _indexer, new FakeTipAttachmentStore(), new FixedTime(Now), NullLogger<TriageService>.Instance);
        var editor = new StaffMember("oid-editor", "Editor", new HashSet<string> { StaffRoles.Editor });

        await flags.SetAsync(a.Summary.Queue, a.Summary.Id, s => s with { AwaitingReporter = true }, default);
        await flags.SetAsync(b.Summary.Queue, b.Summary.Id, s => s with { NewAnswers = true }, default);

        Assert.Equal([a.Summary.Id], await SearchAsync(new SearchRequest(Awaiting: "reporter")));
        Assert.Equal([b.Summary.Id], await SearchAsync(new SearchRequest(Answers: "new")));
        Assert.Equal([b.Summary.Id], await SearchAsync(new SearchRequest("border", Answers: "new")));
        Assert.Empty(await SearchAsync(new SearchRequest("잡혔", Answers: "new")));
        var listed = Assert.IsType<TriageListing.Page>(await _lists.ListAsync(null, null, null, null, default)).Value.Items;
        Assert.Equal((true, false), (listed.Single(t => t.Id == a.Summary.Id).AwaitingReporter, listed.Single(t => t.Id == a.Summary.Id).NewAnswers));
        Assert.True(listed.Single(t => t.Id == b.Summary.Id).NewAnswers);
        Assert.Equal(0, (await _store.GetAsync(a.Summary.Id, default))!.Version);

        // An editor's change keeps the flags; an answer read clears one, and the filter follows.
        Assert.IsType<TriageChange.Changed>(await service.ChangeStatusAsync(b.Summary.Id, 0, "in-review", editor, default));
        Assert.Equal([b.Summary.Id], await SearchAsync(new SearchRequest(Answers: "new", Status: "in-review")));
        await flags.SetAsync(b.Summary.Queue, b.Summary.Id, s => s with { NewAnswers = false }, default);
        Assert.Empty(await SearchAsync(new SearchRequest(Answers: "new")));
        var afterRead = (await _store.GetAsync(b.Summary.Id, default))!;
        Assert.Equal(("in-review", false, 1L), (afterRead.Summary.Status, afterRead.Summary.NewAnswers, afterRead.Version));
    }

    [Fact]
    public async Task A_flag_write_that_meets_a_newer_row_reads_it_again_and_keeps_what_the_other_writer_did()
    {
        var tip = await StoreAsync("Taken at night", "Tumen", null);
        var flags = new TipFlags(_store, _indexer);
        _store.BeforeUpdate = id => { _store.BeforeUpdate = null; _store.Touch(id); };

        await flags.SetAsync(tip.Summary.Queue, tip.Summary.Id, s => s with { NewAnswers = true }, default);

        var stored = (await _store.GetAsync(tip.Summary.Id, default))!;
        Assert.Equal((true, 1L), (stored.Summary.NewAnswers, stored.Version));
        Assert.Equal([tip.Summary.Id], await SearchAsync(new SearchRequest(Answers: "new")));
    }

    [Theory]
    [InlineData("yes", null)]
    [InlineData(null, "all")]
    public async Task A_flag_filter_takes_only_its_one_value(string? awaiting, string? answers)
    {
        var listing = await _lists.SearchAsync(new SearchRequest(Awaiting: awaiting, Answers: answers), Reader, default);

        Assert.Equal("invalid-flag", Assert.IsType<TriageListing.InvalidInput>(listing).Code);
    }

    private async Task<List<string>> SearchAsync(SearchRequest request) =>
        [.. Assert.IsType<TriageListing.Page>(await _lists.SearchAsync(request, Reader, default)).Value.Items.Select(t => t.Id)];

    private async Task<TriageTip> StoreAsync(string narrative, string? place, string? observed, string urgency = "soon", string? contact = null)
    {
        var tip = AddRow(narrative, place, pending: null, urgency, observed, contact);
        await _indexer.IndexNewAsync(tip.Summary, tip.Content, default);
        return tip;
    }

    private TriageTip AddRow(
        string narrative, string? place, PendingIndex? pending, string urgency = "soon", string? observed = null, string? contact = null, string queue = "urgent")
    {
        var tip = _store.Add(Summary(urgency: urgency) with { Queue = queue }, new TipContent(narrative, place, observed, null, 1, "ko", contact));
        return pending is null ? tip : _store.SetPendingIndex(tip.Summary.Id, pending);
    }

    private static TipSummary Summary(int priority = 1, int hoursAgo = 1, string urgency = "soon") =>
        new(Id(), "urgent", "new", priority, "detention", urgency, "CN", null, Now - TimeSpan.FromHours(hoursAgo), null, [], null);

    private static string Id() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
