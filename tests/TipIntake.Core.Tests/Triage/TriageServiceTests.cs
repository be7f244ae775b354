using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TipIntake.Core.Staff;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Index;
using TipIntake.Core.Triage.Search;

namespace TipIntake.Core.Tests.Triage;

public class TriageServiceTests
{
    private const string Narrative = "NARRATIVE-세 명이 도문 구류소에 있습니다";
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 30, 0, TimeSpan.Zero);
    private static readonly StaffMember Alice = new("oid-alice", "Alice", new HashSet<string> { StaffRoles.Editor });
    private static readonly StaffMember Bob = new("oid-bob", "Bob", new HashSet<string> { StaffRoles.Editor });

    private readonly FakeTriageStore _store = new();
    private readonly FakeTipAttachmentStore _attachments = new();
    private readonly FakeIndexSets _sets = new();
    private readonly FakeTipLocator _locator = new();
    private readonly SettableTime _time = new(Now);
    private readonly TriageIndexer _indexer;
    private readonly TriageService _service;
    private readonly TriageLists _lists;

    public TriageServiceTests()
    {
        var hasher = new IndexHasher(RandomNumberGenerator.GetBytes(32));
        _indexer = new TriageIndexer(_sets, _locator, new FakeTipRelations(_store), hasher, Gazetteer.Default);
        _service = new TriageService(_store, _indexer, _attachments, _time, NullLogger<TriageService>.Instance);
        _lists = new TriageLists(_sets, _store, hasher, Gazetteer.Default, _time, Options.Create(new TriageOptions()), NullLogger<TriageLists>.Instance);
    }

    [Fact]
    public async Task Status_change_along_the_workflow_writes_the_tip_and_one_audit_event_with_a_new_ETag()
    {
        var tip = Seed();

        var outcome = await _service.ChangeStatusAsync(tip.Summary.Id, tip.Version, "in-review", Alice, default);

        var changed = Assert.IsType<TriageChange.Changed>(outcome);
        Assert.Equal("in-review", changed.Tip.Summary.Status);
        Assert.Equal(Now, changed.Tip.Summary.LastChangedAt);
        Assert.NotEqual(tip.Version, changed.Tip.Version);
        Assert.Equal(changed.Tip.Version, (await _store.GetAsync(tip.Summary.Id, default))!.Version);
        var audit = Assert.Single(_store.AllEvents);
        Assert.Equal((tip.Summary.Id, "oid-alice", "status-changed", "new", "in-review", Now),
            (audit.TipId, audit.Actor, audit.Action, audit.From, audit.To, audit.At));
    }

    [Fact]
    public async Task Change_whose_audit_append_fails_keeps_the_event_in_the_row_and_the_next_change_appends_it_first()
    {
        var tip = Seed();
        _store.FailAppends = 1;

        await Assert.ThrowsAsync<Core.Intake.StorageUnavailableException>(() => _service.ChangeStatusAsync(tip.Summary.Id, tip.Version, "in-review", Alice, default));

        var stored = (await _store.GetAsync(tip.Summary.Id, default))!;
        Assert.Equal("in-review", stored.Summary.Status);
        Assert.Empty(_store.AllEvents);
        Assert.Equal(("status-changed", "new", "in-review"), (stored.Pending!.Event.Action, stored.Pending.Event.From, stored.Pending.Event.To));

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.IsType<TriageChange.Changed>(await _service.AssignAsync(tip.Summary.Id, stored.Version, "oid-bob", Bob, default));

        Assert.Equal(["status-changed", "assigned"], (await _service.EventsAsync(tip.Summary.Id, default))!.Select(e => e.Action));
    }

    [Fact]
    public async Task Reading_the_trail_appends_a_pending_event_once()
    {
        var tip = Seed();
        _store.FailAppends = 1;
        await Assert.ThrowsAsync<Core.Intake.StorageUnavailableException>(() => _service.ChangeStatusAsync(tip.Summary.Id, tip.Version, "in-review", Alice, default));

        var first = await _service.EventsAsync(tip.Summary.Id, default);
        var again = await _service.EventsAsync(tip.Summary.Id, default);

        Assert.Equal("status-changed", Assert.Single(first!).Action);
        Assert.Single(again!);
        Assert.Single(_store.AllEvents);
    }

    [Fact]
    public async Task Note_whose_append_failed_after_the_update_appears_when_the_tip_is_next_opened()
    {
        var tip = Seed();
        _store.FailAppends = 1;
        await Assert.ThrowsAsync<Core.Intake.StorageUnavailableException>(() => _service.AddNoteAsync(tip.Summary.Id, tip.Version, "Called the contact.", Alice, default));

        var detail = await _service.GetAsync(tip.Summary.Id, Bob, default);

        Assert.Equal("Called the contact.", Assert.Single(detail!.Notes).Text);
        Assert.Equal(["note-added", "viewed"], _store.AllEvents.Select(e => e.Action));
    }

    [Fact]
    public async Task Opening_a_tip_that_cannot_be_recorded_shows_nothing()
    {
        var tip = Seed();
        _store.FailAppends = 1;

        await Assert.ThrowsAsync<Core.Intake.StorageUnavailableException>(() => _service.GetAsync(tip.Summary.Id, Bob, default));
    }

    [Fact]
    public async Task A_tip_is_opened_and_changed_with_its_files_in_number_order()
    {
        var tip = Seed();
        var entry = new Core.Attachments.AttachmentEntry("qvH4M4u8SCa1x0E0q9KzTg", new byte[32], 1, 262_160, "kid", "ek", 10, new byte[32], "image/png", "photo-1.png", "scrubbed", ["location"]);
        await _attachments.PutAsync(new(tip.Summary.Id, 2, Core.Attachments.AttachmentState.Awaited, entry with { Upload = "AAAAAAAAAAAAAAAAAAAAAA" }), default);
        await _attachments.PutAsync(new(tip.Summary.Id, 1, Core.Attachments.AttachmentState.Attached, entry), default);

        var opened = await _service.GetAsync(tip.Summary.Id, Bob, default);
        var changed = Assert.IsType<TriageChange.Changed>(await _service.ChangeStatusAsync(tip.Summary.Id, tip.Version, "in-review", Alice, default));

        Assert.Equal([1, 2], opened!.Attachments.Select(a => a.Number));
        Assert.Equal([1, 2], changed.Tip.Attachments.Select(a => a.Number));
    }

    [Fact]
    public async Task Second_writer_with_the_same_ETag_gets_precondition_failed_and_changes_nothing()
    {
        var tip = Seed();

        var first = await _service.ChangeStatusAsync(tip.Summary.Id, tip.Version, "in-review", Alice, default);
        var second = await _service.AssignAsync(tip.Summary.Id, tip.Version, "oid-bob", Bob, default);

        Assert.IsType<TriageChange.Changed>(first);
        Assert.IsType<TriageChange.VersionConflict>(second);
        Assert.Null((await _store.GetAsync(tip.Summary.Id, default))!.Summary.AssignedTo);
        Assert.Single(_store.AllEvents);
    }

    [Fact]
    public async Task A_write_between_read_and_update_is_caught_by_the_store_as_stale()
    {
        var tip = Seed();
        _store.BeforeUpdate = id => { _store.BeforeUpdate = null; _store.Touch(id); };

        var outcome = await _service.ChangeStatusAsync(tip.Summary.Id, tip.Version, "in-review", Alice, default);

        Assert.IsType<TriageChange.VersionConflict>(outcome);
        Assert.Equal("new", (await _store.GetAsync(tip.Summary.Id, default))!.Summary.Status);
        Assert.Empty(_store.AllEvents);
    }

    [Fact]
    public async Task Concurrent_editors_on_one_ETag_leave_exactly_one_winner()
    {
        var tip = Seed();
        var editors = Enumerable.Range(0, 8).Select(i => new StaffMember($"oid-{i}", null, Alice.Roles)).ToArray();

        var outcomes = await Task.WhenAll(editors.Select(editor =>
            Task.Run(() => _service.AssignAsync(tip.Summary.Id, tip.Version, editor.ObjectId, editor, default))));

        Assert.Single(outcomes.OfType<TriageChange.Changed>());
        Assert.Equal(7, outcomes.OfType<TriageChange.VersionConflict>().Count());
        Assert.Equal(1, _store.Updates);
        Assert.Single(_store.AllEvents);
    }

    [Fact]
    public async Task Invalid_transition_is_a_typed_outcome_and_writes_nothing()
    {
        var tip = Seed();

        var outcome = await _service.ChangeStatusAsync(tip.Summary.Id, tip.Version, "closed", Alice, default);

        Assert.Equal(new TriageChange.InvalidTransition("new", "closed"), outcome);
        Assert.Equal(0, _store.Updates);
        Assert.Empty(_store.AllEvents);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Closed")]
    [InlineData(null)]
    public async Task Unknown_status_is_invalid_input(string? status)
    {
        var tip = Seed();

        var outcome = await _service.ChangeStatusAsync(tip.Summary.Id, tip.Version, status, Alice, default);

        Assert.Equal("invalid-status", Assert.IsType<TriageChange.InvalidInput>(outcome).Code);
        Assert.Equal(0, _store.Updates);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("not-a-tip-id")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF")]
    public async Task Unknown_or_malformed_tip_is_not_found(string tipId)
    {
        Seed();

        Assert.IsType<TriageChange.NotFound>(await _service.ChangeStatusAsync(tipId, 0, "in-review", Alice, default));
        Assert.IsType<TriageChange.NotFound>(await _service.AddNoteAsync(tipId, 0, "text", Alice, default));
        Assert.Null(await _service.GetAsync(tipId, Alice, default));
        Assert.Null(await _service.EventsAsync(tipId, default));
    }

    [Fact]
    public async Task Assign_and_unassign_record_old_and_new_assignee()
    {
        var tip = Seed();

        var assigned = Assert.IsType<TriageChange.Changed>(await _service.AssignAsync(tip.Summary.Id, tip.Version, "  Bob Kim ", Alice, default));
        var unassigned = Assert.IsType<TriageChange.Changed>(await _service.AssignAsync(tip.Summary.Id, assigned.Tip.Version, null, Alice, default));

        Assert.Equal("Bob Kim", assigned.Tip.Summary.AssignedTo);
        Assert.Null(unassigned.Tip.Summary.AssignedTo);
        Assert.Equal(
            [("assigned", (string?)null, (string?)"Bob Kim"), ("assigned", "Bob Kim", null)],
            _store.AllEvents.Select(e => (e.Action, e.From, e.To)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\there")]
    public async Task Blank_or_control_assignee_is_invalid_input(string assignee)
    {
        var tip = Seed();

        Assert.Equal("invalid-assignee", Assert.IsType<TriageChange.InvalidInput>(
            await _service.AssignAsync(tip.Summary.Id, tip.Version, assignee, Alice, default)).Code);
    }

    [Fact]
    public async Task Labels_are_added_and_removed_case_insensitively_and_audited_as_lists()
    {
        var tip = Seed();

        var first = Assert.IsType<TriageChange.Changed>(
            await _service.ChangeLabelsAsync(tip.Summary.Id, tip.Version, ["needs-translation", "Jilin", "jilin", "증언"], null, Alice, default));
        var second = Assert.IsType<TriageChange.Changed>(
            await _service.ChangeLabelsAsync(tip.Summary.Id, first.Tip.Version, ["follow-up"], ["NEEDS-translation"], Alice, default));

        Assert.Equal(["Jilin", "needs-translation", "증언"], first.Tip.Summary.Labels);
        Assert.Equal(["Jilin", "follow-up", "증언"], second.Tip.Summary.Labels);
        Assert.Equal(
            [(null, "Jilin,needs-translation,증언"), ("Jilin,needs-translation,증언", "Jilin,follow-up,증언")],
            _store.AllEvents.Select(e => (e.From, e.To)));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("comma,label")]
    [InlineData("")]
    [InlineData("a-label-that-is-far-too-long-for-the-limit-of-forty")]
    public async Task Malformed_labels_are_invalid_input(string label)
    {
        var tip = Seed();

        Assert.Equal("invalid-label", Assert.IsType<TriageChange.InvalidInput>(
            await _service.ChangeLabelsAsync(tip.Summary.Id, tip.Version, [label], null, Alice, default)).Code);
        Assert.Equal(0, _store.Updates);
    }

    [Fact]
    public async Task A_tip_carries_at_most_twenty_labels()
    {
        var tip = Seed();
        var twenty = Enumerable.Range(1, 20).Select(i => $"l{i}").ToArray();

        var full = Assert.IsType<TriageChange.Changed>(await _service.ChangeLabelsAsync(tip.Summary.Id, tip.Version, twenty, null, Alice, default));
        var over = await _service.ChangeLabelsAsync(tip.Summary.Id, full.Tip.Version, ["one-more"], null, Alice, default);

        Assert.Equal(20, full.Tip.Summary.Labels.Count);
        Assert.Equal("too-many-labels", Assert.IsType<TriageChange.InvalidInput>(over).Code);
        Assert.Equal("no-labels", Assert.IsType<TriageChange.InvalidInput>(
            await _service.ChangeLabelsAsync(tip.Summary.Id, full.Tip.Version, [], [], Alice, default)).Code);
    }

    [Fact]
    public async Task Notes_are_appended_and_their_audit_event_names_the_note_id_not_its_text()
    {
        var tip = Seed();
        const string Text = "NOTE-TEXT: called the contact\r\nno answer";

        var first = Assert.IsType<TriageChange.Changed>(await _service.AddNoteAsync(tip.Summary.Id, tip.Version, Text, Alice, default));
        _time.Advance(TimeSpan.FromMinutes(1));
        var second = Assert.IsType<TriageChange.Changed>(await _service.AddNoteAsync(tip.Summary.Id, first.Tip.Version, "second", Bob, default));

        Assert.Equal(["NOTE-TEXT: called the contact\nno answer", "second"], second.Tip.Notes.Select(n => n.Text));
        Assert.Equal(["oid-alice", "oid-bob"], second.Tip.Notes.Select(n => n.AuthorId));
        Assert.Equal(second.Tip.Notes.Select(n => n.Id), _store.AllEvents.Select(e => e.To));
        Assert.All(_store.AllEvents, e => Assert.Equal("note-added", e.Action));
        AssertNoContentIn(_store.AllEvents, "NOTE-TEXT", "second");
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \n ")]
    [InlineData("bell\u0007")]
    [InlineData(null)]
    public async Task Empty_or_control_character_notes_are_invalid_input(string? text)
    {
        var tip = Seed();

        Assert.Equal("invalid-note", Assert.IsType<TriageChange.InvalidInput>(
            await _service.AddNoteAsync(tip.Summary.Id, tip.Version, text, Alice, default)).Code);
    }

    [Fact]
    public async Task Notes_are_limited_to_4000_characters()
    {
        var tip = Seed();

        Assert.IsType<TriageChange.InvalidInput>(await _service.AddNoteAsync(tip.Summary.Id, tip.Version, new string('가', 4001), Alice, default));
        Assert.IsType<TriageChange.Changed>(await _service.AddNoteAsync(tip.Summary.Id, tip.Version, new string('가', 4000), Alice, default));
    }

    [Fact]
    public async Task Every_change_leaves_an_event_and_none_carries_tip_content()
    {
        var tip = Seed();
        var etag = tip.Version;
        async Task Step(Func<long, Task<TriageChange>> change)
        {
            etag = Assert.IsType<TriageChange.Changed>(await change(etag)).Tip.Version;
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        await Step(e => _service.ChangeStatusAsync(tip.Summary.Id, e, "in-review", Alice, default));
        await Step(e => _service.AssignAsync(tip.Summary.Id, e, "oid-alice", Alice, default));
        await Step(e => _service.ChangeLabelsAsync(tip.Summary.Id, e, ["checked"], null, Alice, default));
        await Step(e => _service.AddNoteAsync(tip.Summary.Id, e, "NOTE-SECRET", Alice, default));
        var viewed = await _service.GetAsync(tip.Summary.Id, Bob, default);

        Assert.Equal(Narrative, viewed!.Content.Narrative);
        var events = Assert.IsAssignableFrom<IReadOnlyList<TipEvent>>(await _service.EventsAsync(tip.Summary.Id, default));
        Assert.Equal(["status-changed", "assigned", "labels-changed", "note-added", "viewed"], events.Select(e => e.Action));
        Assert.Equal("oid-bob", events[^1].Actor);
        AssertNoContentIn(events, Narrative, "NOTE-SECRET", "Tumen", "+86");
    }

    [Fact]
    public async Task Bulk_dismissal_dismisses_untouched_tips_with_one_event_each_and_skips_touched_and_unknown_ones()
    {
        var spam = Enumerable.Range(0, 3).Select(_ => Seed()).ToList();
        var assigned = Seed();
        Assert.IsType<TriageChange.Changed>(await _service.AssignAsync(assigned.Summary.Id, assigned.Version, "oid-bob", Bob, default));
        var annotated = Seed();
        Assert.IsType<TriageChange.Changed>(await _service.AddNoteAsync(annotated.Summary.Id, annotated.Version, "Looks real: called back.", Bob, default));
        var reviewed = Seed();
        Assert.IsType<TriageChange.Changed>(await _service.ChangeStatusAsync(reviewed.Summary.Id, reviewed.Version, "in-review", Bob, default));
        var unknown = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var before = _store.AllEvents.Count;

        var outcome = await _service.DismissUntouchedAsync(
            [.. spam.Select(t => t.Summary.Id), assigned.Summary.Id, annotated.Summary.Id, reviewed.Summary.Id, unknown], Alice, default);

        var done = Assert.IsType<BulkDismissal.Done>(outcome);
        Assert.Equal(spam.Select(t => t.Summary.Id), done.Dismissed);
        Assert.Equal(
            [(assigned.Summary.Id, "touched"), (annotated.Summary.Id, "touched"), (reviewed.Summary.Id, "touched"), (unknown, "not-found")],
            done.Skipped.Select(s => (s.TipId, s.Reason)));
        foreach (var tip in spam)
        {
            Assert.Equal("dismissed", (await _store.GetAsync(tip.Summary.Id, default))!.Summary.Status);
        }

        Assert.Equal("new", (await _store.GetAsync(assigned.Summary.Id, default))!.Summary.Status);
        var events = _store.AllEvents.Skip(before).ToList();
        Assert.Equal(spam.Select(t => t.Summary.Id), events.Select(e => e.TipId));
        Assert.All(events, e => Assert.Equal(("oid-alice", "dismissed-in-bulk", "new", "dismissed"), (e.Actor, e.Action, e.From, e.To)));
        AssertNoContentIn(events, Narrative, "Tumen", "+86 555");
    }

    [Fact]
    public async Task A_tip_dismissed_in_bulk_can_be_taken_back_into_review()
    {
        var tip = Seed();
        Assert.IsType<BulkDismissal.Done>(await _service.DismissUntouchedAsync([tip.Summary.Id], Alice, default));
        var dismissed = (await _store.GetAsync(tip.Summary.Id, default))!;

        Assert.IsType<TriageChange.Changed>(await _service.ChangeStatusAsync(tip.Summary.Id, dismissed.Version, "in-review", Bob, default));
    }

    [Fact]
    public async Task Bulk_dismissal_names_one_to_a_hundred_different_well_formed_tips()
    {
        var tip = Seed();
        var tooMany = Enumerable.Range(0, 101).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))).ToList();

        foreach (var ids in new List<string>?[] { null, [], tooMany, [tip.Summary.Id, tip.Summary.Id], [tip.Summary.Id, "not-a-tip-id"] })
        {
            var invalid = Assert.IsType<BulkDismissal.InvalidInput>(await _service.DismissUntouchedAsync(ids, Alice, default));
            Assert.Equal("invalid-tip-ids", invalid.Code);
        }

        Assert.Equal("new", (await _store.GetAsync(tip.Summary.Id, default))!.Summary.Status);
        Assert.Empty(_store.AllEvents);
    }

    [Fact]
    public async Task Pages_return_every_tip_exactly_once_in_urgent_first_then_newest_order()
    {
        var all = Enumerable.Range(0, 57).Select(i => Seed(priority: 1 + (i % 4), hoursAgo: i % 7).Summary).ToList();

        var seen = await PageThroughAsync(pageSize: 6);

        Assert.Equal(all.Order(TriageOrder.Instance).Select(t => t.Id), seen);
        Assert.True(all.Count(t => t.Priority == 1) > 6, "Several pages must share one priority for the test to mean anything.");
    }

    [Fact]
    public async Task Paging_while_tips_arrive_returns_each_original_tip_once_and_no_tip_twice()
    {
        var originals = Enumerable.Range(0, 40).Select(i => Seed(priority: 1 + (i % 3), hoursAgo: i % 5).Summary.Id).ToHashSet();

        var seen = await PageThroughAsync(pageSize: 7, betweenPages: page =>
        {
            // Newcomers before and after the cursor: most pressing and newest, and least pressing and oldest.
            Seed(priority: 1, hoursAgo: 0);
            Seed(priority: 9, hoursAgo: 48);
        });

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(originals, seen.ToHashSet());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(-1)]
    public async Task Page_size_outside_1_to_100_is_invalid(int pageSize)
    {
        Assert.Equal("invalid-page-size", Assert.IsType<TriageListing.InvalidInput>(
            await _lists.ListAsync(null, null, pageSize, null, default)).Code);
    }

    [Theory]
    [InlineData("garbage!")]
    [InlineData("azE")]
    [InlineData("")]
    public async Task A_continuation_this_service_did_not_issue_is_invalid(string continuation)
    {
        Assert.Equal("invalid-continuation", Assert.IsType<TriageListing.InvalidInput>(
            await _lists.ListAsync(null, null, null, continuation, default)).Code);
    }

    [Fact]
    public async Task Default_page_is_25_and_filters_by_queue_and_status()
    {
        for (var i = 0; i < 30; i++)
        {
            Seed(queue: "urgent");
        }

        var other = Seed(queue: "detention");
        await _service.ChangeStatusAsync(other.Summary.Id, other.Version, "in-review", Alice, default);

        var page = Assert.IsType<TriageListing.Page>(await _lists.ListAsync("urgent", null, null, null, default)).Value;
        var reviewing = Assert.IsType<TriageListing.Page>(await _lists.ListAsync(null, "in-review", null, null, default)).Value;

        Assert.Equal(25, page.Items.Count);
        Assert.NotNull(page.Continuation);
        Assert.All(page.Items, t => Assert.Equal("urgent", t.Queue));
        Assert.Equal([other.Summary.Id], reviewing.Items.Select(t => t.Id));
        Assert.Null(reviewing.Continuation);
        Assert.IsType<TriageListing.InvalidInput>(await _lists.ListAsync("Not A Queue", null, null, null, default));
        Assert.IsType<TriageListing.InvalidInput>(await _lists.ListAsync(null, "open", null, null, default));
    }

    [Fact]
    public async Task Counts_are_per_queue_and_status()
    {
        Seed(queue: "urgent");
        Seed(queue: "urgent");
        var reviewed = Seed(queue: "urgent");
        Seed(queue: "detention");
        await _service.ChangeStatusAsync(reviewed.Summary.Id, reviewed.Version, "in-review", Alice, default);

        var counts = await _lists.CountsAsync(default);

        Assert.Equal(
            [new TipCount("detention", "new", 1), new TipCount("urgent", "in-review", 1), new TipCount("urgent", "new", 2)],
            counts);
    }

    [Fact]
    public async Task Overdue_lists_imminent_open_tips_unchanged_for_longer_than_the_limit()
    {
        var stale = Seed(urgency: "imminent", hoursAgo: 3);
        var fresh = Seed(urgency: "imminent", hoursAgo: 0);
        Seed(urgency: "soon", hoursAgo: 5);
        var escalated = Seed(urgency: "imminent", hoursAgo: 5);
        var touched = Seed(urgency: "imminent", hoursAgo: 5);
        var reviewing = Seed(urgency: "imminent", hoursAgo: 5);
        _time.Set(Now - TimeSpan.FromHours(4));
        var inReview = Assert.IsType<TriageChange.Changed>(await _service.ChangeStatusAsync(escalated.Summary.Id, escalated.Version, "in-review", Alice, default));
        await _service.ChangeStatusAsync(escalated.Summary.Id, inReview.Tip.Version, "escalated", Alice, default);
        await _service.ChangeStatusAsync(reviewing.Summary.Id, reviewing.Version, "in-review", Alice, default);
        _time.Set(Now - TimeSpan.FromMinutes(30));
        await _service.AddNoteAsync(touched.Summary.Id, touched.Version, "on it", Alice, default);
        _time.Set(Now);

        var overdue = Assert.IsType<TriageListing.Page>(await _lists.OverdueAsync(null, null, default)).Value;

        Assert.Equal(new[] { stale.Summary.Id, reviewing.Summary.Id }.Order(StringComparer.Ordinal), overdue.Items.Select(t => t.Id).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(fresh.Summary.Id, overdue.Items.Select(t => t.Id));
    }

    [Theory]
    [InlineData("00:00:00", false)]
    [InlineData("00:00:01", true)]
    [InlineData("02:00:00", true)]
    [InlineData("8.00:00:00", false)]
    public void OverdueAfter_is_validated_between_a_second_and_a_week(string value, bool valid)
    {
        var options = new TriageOptions
        {
            OverdueAfter = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture),
            IndexKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }

    [Fact]
    public void Cursors_round_trip_for_their_own_kind_only_and_are_opaque()
    {
        var key = IndexKeys.Order(3, Now, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

        var token = IndexCursor.Encode("o", key);

        Assert.True(IndexCursor.TryDecode(token, "o", IndexKeys.IsOrderKey, out var decoded));
        Assert.Equal(key, decoded);
        Assert.False(IndexCursor.TryDecode(token, "d", IndexKeys.IsDueKey, out _));
        Assert.DoesNotContain(IndexKeys.TipIdOf(key), token, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("c2hvcnQ=", false)]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true)]
    public void IndexKey_is_at_least_32_bytes_of_base64(string key, bool valid)
    {
        var options = new TriageOptions { IndexKey = key };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true));
    }

    private async Task<List<string>> PageThroughAsync(int pageSize, Action<TipPage>? betweenPages = null)
    {
        var seen = new List<string>();
        string? continuation = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = Assert.IsType<TriageListing.Page>(await _lists.ListAsync(null, null, pageSize, continuation, default)).Value;
            Assert.True(page.Items.Count <= pageSize);
            seen.AddRange(page.Items.Select(t => t.Id));
            if ((continuation = page.Continuation) is null)
            {
                return seen;
            }

            betweenPages?.Invoke(page);
        }

        throw new InvalidOperationException("Paging did not end.");
    }

    private static void AssertNoContentIn(IEnumerable<TipEvent> events, params string[] contents)
    {
        var text = string.Join("|", events.Select(e => $"{e.TipId} {e.Id} {e.At:O} {e.Actor} {e.Action} {e.From} {e.To}"));
        Assert.All(contents, content => Assert.DoesNotContain(content, text, StringComparison.Ordinal));
    }

    private TriageTip Seed(string queue = "urgent", int priority = 1, int hoursAgo = 1, string urgency = "imminent")
    {
        var hour = new DateTimeOffset(Now.Year, Now.Month, Now.Day, Now.Hour, 0, 0, TimeSpan.Zero) - TimeSpan.FromHours(hoursAgo);
        var summary = new TipSummary(
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), queue, "new", priority, "detention", urgency, "CN", "Jilin", hour, null, [], null);
        var tip = _store.Add(summary, new TipContent(Narrative, "Tumen", "2026-11-01", null, 3, "ko", "+86 555"));

        // What the processor does once the row is in: the in-memory index completes at once.
        _indexer.IndexNewAsync(tip.Summary, tip.Content, default).GetAwaiter().GetResult();
        return tip;
    }

    private sealed class SettableTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void Set(DateTimeOffset now) => _now = now;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
