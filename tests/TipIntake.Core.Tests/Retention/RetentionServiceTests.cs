using System.ComponentModel.DataAnnotations;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.Intake;
using TipIntake.Core.Retention;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Tests.Retention;

public class RetentionServiceTests
{
    private static readonly DateTimeOffset Now = new(2027, 6, 1, 3, 30, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryRetentionStore _store = new();
    private readonly InMemoryClaimCheckStore _claimChecks = new();

    [Fact]
    public async Task Closed_tips_older_than_the_cutoff_are_purged_with_their_notes_and_one_content_free_audit_event_each()
    {
        var old1 = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(366), notes: 2);
        var old2 = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(900), notes: 0);

        var report = await Service().RunAsync(_time.GetUtcNow(), default);

        Assert.Equal(new RetentionReport(false, 2, 2, 0, 0, 0, 0), report);
        Assert.Empty(_store.Tips);
        Assert.Empty(_store.Notes);
        Assert.Equal(new[] { old1, old2 }.Order(StringComparer.Ordinal), _store.Events.Select(e => e.TipId).Order(StringComparer.Ordinal));
        Assert.All(_store.Events, e => Assert.Equal(("retention", "purged", null, null, Now), (e.Actor, e.Action, e.From, e.To, e.At)));
    }

    [Fact]
    public async Task A_purged_tips_files_and_their_rows_go_after_its_row_with_one_event_and_other_tips_keep_theirs()
    {
        var storage = new Attachments.MemoryAttachmentStorage();
        var purged = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 0);
        var kept = _store.AddTip(TriageStatuses.Verified, Now - TimeSpan.FromDays(400), notes: 0);
        var plain = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 0);
        foreach (var (tipId, number) in new[] { (purged, 1), (purged, 2), (kept, 1) })
        {
            var entry = new Core.Attachments.AttachmentEntry("upload", [], 1, 262160, "kid", "ek", 1, [], "text/plain", "note-1.txt", "unchecked", []);
            storage.Rows[(tipId, number)] = new Core.Attachments.TipAttachment(tipId, number, Core.Attachments.AttachmentState.Attached, entry);
            storage.Files[$"{tipId}/{number}"] = [1, 2, 3];
        }

        var report = await Service(attachments: storage).RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 2, 2, 0, 0, 0, 0), report);
        Assert.Equal([$"{kept}/1"], storage.Files.Keys);
        Assert.Equal([(kept, 1)], storage.Rows.Keys);
        Assert.Equal(["purged", "attachments-purged"], _store.Events.Where(e => e.TipId == purged).Select(e => e.Action));
        Assert.Equal(["purged"], _store.Events.Where(e => e.TipId == plain).Select(e => e.Action));
        Assert.All(_store.Events, e => Assert.Equal(("retention", null, null), (e.Actor, e.From, e.To)));
    }

    [Fact]
    public async Task Newer_closed_tips_and_tips_in_any_other_status_are_kept()
    {
        var newer = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(364), notes: 1);
        var open = TriageStatuses.All.Where(s => s != TriageStatuses.Closed)
            .Select(status => _store.AddTip(status, Now - TimeSpan.FromDays(2000), notes: 1)).ToList();

        var report = await Service().RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 0, 0, 0, 0, 0, 0), report);
        Assert.Equal(new[] { newer }.Concat(open).Order(StringComparer.Ordinal), _store.Tips.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(6, _store.Notes.Count);
        Assert.Empty(_store.Events);
    }

    [Fact]
    public async Task Quarantine_older_than_its_cutoff_is_purged_with_an_event_keyed_by_its_id_and_newer_is_kept()
    {
        _store.AddQuarantine("old-q", "disabled-key", Now - TimeSpan.FromDays(91));
        _store.AddQuarantine("new-q", "bad-envelope", Now - TimeSpan.FromDays(89));

        var report = await Service().RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 0, 0, 1, 1, 0, 0), report);
        Assert.Equal(["new-q"], _store.Quarantine.Keys);
        var audit = Assert.Single(_store.Events);
        Assert.Equal(("old-q", "retention", "quarantine-purged", "disabled-key", (string?)null), (audit.TipId, audit.Actor, audit.Action, audit.From, audit.To));
    }

    [Fact]
    public async Task Dry_run_deletes_nothing_and_writes_no_events_but_reports_the_same_counts()
    {
        _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 1);
        _store.AddTip(TriageStatuses.Verified, Now - TimeSpan.FromDays(400), notes: 0);
        _store.AddQuarantine("old-q", "disabled-key", Now - TimeSpan.FromDays(100));

        var report = await Service(new RetentionOptions { DryRun = true }).RunAsync(Now, default);

        Assert.Equal(new RetentionReport(true, 1, 0, 1, 0, 0, 0), report);
        Assert.Equal(2, _store.Tips.Count);
        Assert.Single(_store.Notes);
        Assert.Single(_store.Quarantine);
        Assert.Empty(_store.Events);
        Assert.Equal(0, _store.Deletes);
    }

    [Fact]
    public async Task A_tip_changed_between_finding_and_deleting_is_kept_without_an_event()
    {
        var tip = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 1);
        _claimChecks.Put(tip, Now - TimeSpan.FromDays(1));
        _store.AfterFind = () => _store.Touch(tip);

        var report = await Service().RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 1, 0, 0, 0, 0, 0), report);
        Assert.True(_store.Tips.ContainsKey(tip));
        Assert.Equal([tip], _claimChecks.Names);
        Assert.Single(_store.Notes);
        Assert.Empty(_store.Events);
    }

    [Fact]
    public async Task A_storage_failure_fails_the_run()
    {
        _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 0);
        _store.FailEvents = true;

        await Assert.ThrowsAsync<IOException>(() => Service().RunAsync(Now, default));
    }

    [Theory]
    [InlineData("00:00:01", "90.00:00:00", "30.00:00:00")]
    [InlineData("365.00:00:00", "00:00:00", "30.00:00:00")]
    [InlineData("-1.00:00:00", "90.00:00:00", "30.00:00:00")]
    [InlineData("3651.00:00:00", "90.00:00:00", "30.00:00:00")]
    [InlineData("365.00:00:00", "90.00:00:00", "23:59:59")]
    [InlineData("365.00:00:00", "90.00:00:00", "3651.00:00:00")]
    public void Options_outside_one_day_to_ten_years_are_refused(string closedTipsAfter, string quarantineAfter, string claimCheckOrphanAfter)
    {
        var options = new RetentionOptions
        {
            ClosedTipsAfter = TimeSpan.Parse(closedTipsAfter, System.Globalization.CultureInfo.InvariantCulture),
            QuarantineAfter = TimeSpan.Parse(quarantineAfter, System.Globalization.CultureInfo.InvariantCulture),
            ClaimCheckOrphanAfter = TimeSpan.Parse(claimCheckOrphanAfter, System.Globalization.CultureInfo.InvariantCulture),
        };

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }

    [Fact]
    public void Default_options_are_valid_one_year_ninety_days_and_thirty_days_not_dry_run()
    {
        var options = new RetentionOptions();

        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
        Assert.Equal(
            (TimeSpan.FromDays(365), TimeSpan.FromDays(90), TimeSpan.FromDays(30), false),
            (options.ClosedTipsAfter, options.QuarantineAfter, options.ClaimCheckOrphanAfter, options.DryRun));
    }

    [Fact]
    public async Task Purging_a_quarantine_row_keyed_by_a_tip_id_deletes_its_claim_checked_JWE_and_a_message_hash_row_deletes_none()
    {
        var tipId = NewTipId();
        _store.AddQuarantine(tipId, "jwe-invalid", Now - TimeSpan.FromDays(91));
        _store.AddQuarantine("msg-0a1b2c", "envelope-invalid", Now - TimeSpan.FromDays(91));
        _claimChecks.Put(tipId, Now - TimeSpan.FromDays(92));

        // The sweep's age is set far off, so only the quarantine purge can remove the JWE here.
        var report = await Service(new RetentionOptions { ClaimCheckOrphanAfter = TimeSpan.FromDays(3650) }).RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 0, 0, 2, 2, 0, 0), report);
        Assert.Empty(_claimChecks.Names);
        Assert.Equal([tipId], _claimChecks.Deleted);
        Assert.Equal(2, _store.Events.Count);
    }

    [Fact]
    public async Task A_quarantine_row_changed_meanwhile_keeps_its_claim_checked_JWE()
    {
        var tipId = NewTipId();
        _store.AddQuarantine(tipId, "key-unavailable", Now - TimeSpan.FromDays(91));
        _claimChecks.Put(tipId, Now - TimeSpan.FromDays(92));
        _store.AfterQuarantineFind = () => _store.AddQuarantine(tipId, "key-unavailable", Now);

        var report = await Service().RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 0, 0, 1, 0, 0, 0), report);
        Assert.Equal([tipId], _claimChecks.Names);
        Assert.Empty(_claimChecks.Deleted);
    }

    [Fact]
    public async Task Purging_a_closed_tip_deletes_its_claim_checked_JWE_and_a_kept_tip_keeps_its_own()
    {
        var old = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 0);
        var newer = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(10), notes: 0);
        _claimChecks.Put(old, Now - TimeSpan.FromDays(500));
        _claimChecks.Put(newer, Now - TimeSpan.FromDays(500));

        var report = await Service(new RetentionOptions { ClaimCheckOrphanAfter = TimeSpan.FromDays(3650) }).RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 1, 1, 0, 0, 0, 0), report);
        Assert.Equal([newer], _claimChecks.Names);
        Assert.Equal([old], _claimChecks.Deleted);
    }

    [Fact]
    public async Task Claim_checks_older_than_the_orphan_age_without_a_quarantine_row_are_deleted_without_an_event_and_held_or_newer_ones_are_kept()
    {
        var orphan = NewTipId();
        var held = NewTipId();
        var newer = NewTipId();
        _claimChecks.Put(orphan, Now - TimeSpan.FromDays(31));
        _claimChecks.Put(held, Now - TimeSpan.FromDays(400));
        _claimChecks.Put(newer, Now - TimeSpan.FromDays(29));
        _store.AddQuarantine(held, "key-unavailable", Now - TimeSpan.FromDays(10));

        var report = await Service().RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 0, 0, 0, 0, 1, 1), report);
        Assert.Equal(new[] { held, newer }.Order(StringComparer.Ordinal), _claimChecks.Names.Order(StringComparer.Ordinal));
        Assert.Equal([orphan], _claimChecks.Deleted);
        Assert.Single(_store.Quarantine);
        Assert.Empty(_store.Events);
    }

    [Fact]
    public async Task Dry_run_counts_orphan_claim_checks_and_deletes_no_claim_check_at_all()
    {
        var tip = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 0);
        var quarantined = NewTipId();
        _store.AddQuarantine(quarantined, "jwe-invalid", Now - TimeSpan.FromDays(100));
        var orphans = new[] { NewTipId(), NewTipId() };
        _claimChecks.Put(tip, Now - TimeSpan.FromDays(401));
        _claimChecks.Put(quarantined, Now - TimeSpan.FromDays(101));
        foreach (var orphan in orphans)
        {
            _claimChecks.Put(orphan, Now - TimeSpan.FromDays(60));
        }

        var report = await Service(new RetentionOptions { DryRun = true }).RunAsync(Now, default);

        // The closed tip's JWE has no quarantine row, so it counts as an orphan too; the quarantined one is held.
        Assert.Equal(new RetentionReport(true, 1, 0, 1, 0, 3, 0), report);
        Assert.Equal(4, _claimChecks.Names.Count);
        Assert.Empty(_claimChecks.Deleted);
        Assert.Equal(0, _store.Deletes);
        Assert.Empty(_store.Events);
    }

    private static string NewTipId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    private static readonly Core.Intake.ReceiptIssuer Names = new(Options.Create(new Core.Intake.IntakeOptions
    {
        ReceiptPepper = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    }));

    [Fact]
    public async Task Claim_checks_named_by_the_keyed_name_go_with_their_tip_or_row_and_are_held_by_their_row()
    {
        var closed = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 0);
        var purgedRow = NewTipId();
        var heldRow = NewTipId();
        _store.AddQuarantine(purgedRow, "jwe-invalid", Now - TimeSpan.FromDays(91));
        _store.AddQuarantine(heldRow, "key-unavailable", Now - TimeSpan.FromDays(10));
        foreach (var id in new[] { closed, purgedRow, heldRow })
        {
            _claimChecks.Put(Names.ClaimCheckNameOf(id), Now - TimeSpan.FromDays(500));
        }

        var report = await Service().RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 1, 1, 1, 1, 0, 0), report);
        Assert.Equal([Names.ClaimCheckNameOf(heldRow)], _claimChecks.Names);
        Assert.Equal(new[] { Names.ClaimCheckNameOf(closed), Names.ClaimCheckNameOf(purgedRow) }.Order(StringComparer.Ordinal), _claimChecks.Deleted.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(_claimChecks.Names, name => name == heldRow);
    }

    private RetentionService Service(RetentionOptions? options = null, Attachments.MemoryAttachmentStorage? attachments = null) =>
        new(_store, _claimChecks, Names, Options.Create(options ?? new RetentionOptions()), NullLogger<RetentionService>.Instance,
            attachments is null ? null : FilesOf(attachments));

    /// <summary>The attachments' part of the run over <paramref name="storage"/>, its sweep included.</summary>
    private static Core.Attachments.AttachmentRetention FilesOf(Attachments.MemoryAttachmentStorage storage)
    {
        var options = Options.Create(new Core.Attachments.AttachmentOptions());
        var binder = new Core.Attachments.AttachmentBinder(storage, storage, storage, storage, storage, options, NullLogger<Core.Attachments.AttachmentBinder>.Instance);
        var sweep = new Core.Attachments.AttachmentSweep(binder, storage, storage, storage, storage, options, NullLogger<Core.Attachments.AttachmentSweep>.Instance);
        return new Core.Attachments.AttachmentRetention(storage, storage, sweep);
    }

    [Fact]
    public async Task A_quarantined_files_blob_goes_with_its_row_and_other_quarantine_keeps_its_own()
    {
        var storage = new Attachments.MemoryAttachmentStorage { Clock = Now };
        var tipId = NewTipId();
        var (mismatched, orphan, young) = (NewUploadId(), NewUploadId(), NewUploadId());
        foreach (var upload in new[] { mismatched, orphan, young })
        {
            storage.Files[$"quarantine/{upload}"] = [1, 2, 3];
        }

        var entry = new Core.Attachments.AttachmentEntry(mismatched, new byte[32], 1, 262160, "kid", "ek", 1, new byte[32], "text/plain", "note-1.txt", "unchecked", []);
        _store.AddQuarantine($"{tipId}-01", "attachment-mismatch", Now - TimeSpan.FromDays(91), Core.Attachments.AttachmentEntryJson.Write(entry));
        _store.AddQuarantine($"upload-{orphan}", "attachment-orphan", Now - TimeSpan.FromDays(91));
        _store.AddQuarantine($"upload-{young}", "attachment-orphan", Now - TimeSpan.FromDays(89));
        _store.AddQuarantine($"{tipId}-02", "attachment-invalid", Now - TimeSpan.FromDays(91));

        var report = await Service(attachments: storage).RunAsync(Now, default);

        Assert.Equal(new RetentionReport(false, 0, 0, 3, 3, 0, 0), report);
        Assert.Equal([$"quarantine/{young}"], storage.Files.Keys);
        Assert.Equal([$"upload-{young}"], _store.Quarantine.Keys);
    }

    [Fact]
    public async Task A_run_that_fails_after_a_quarantined_blob_is_deleted_keeps_the_row_and_the_next_run_finishes_it()
    {
        var storage = new Attachments.MemoryAttachmentStorage { Clock = Now };
        var orphan = NewUploadId();
        storage.Files[$"quarantine/{orphan}"] = [1, 2, 3];
        _store.AddQuarantine($"upload-{orphan}", "attachment-orphan", Now - TimeSpan.FromDays(91));
        _store.FailQuarantineDeletes = true;

        await Assert.ThrowsAsync<IOException>(() => Service(attachments: storage).RunAsync(Now, default));
        Assert.Empty(storage.Files);
        Assert.Single(_store.Quarantine);

        _store.FailQuarantineDeletes = false;
        Assert.Equal(1, (await Service(attachments: storage).RunAsync(Now, default)).QuarantinePurged);
        Assert.Empty(_store.Quarantine);
    }

    [Fact]
    public async Task The_daily_run_sweeps_attachments_once_after_its_purges()
    {
        var storage = new Attachments.MemoryAttachmentStorage { Clock = Now };
        var orphan = NewUploadId();
        storage.Uploads[orphan] = new Core.Attachments.UploadRecord(1, 262160, true, new byte[32], []);
        storage.UploadDays[orphan] = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-8);
        storage.Staged[orphan] = [4, 5, 6];

        await Service(attachments: storage).RunAsync(Now, default);

        Assert.Empty(storage.Uploads);
        Assert.Equal([4, 5, 6], storage.Files[$"quarantine/{orphan}"]);
        Assert.Equal([(Core.Processing.QuarantineReason.AttachmentOrphan, $"upload-{orphan}")], storage.Quarantined.Keys);
    }

    [Fact]
    public async Task A_dry_run_does_not_sweep_attachments_nor_delete_a_quarantined_blob()
    {
        var storage = new Attachments.MemoryAttachmentStorage { Clock = Now };
        var (orphan, quarantined) = (NewUploadId(), NewUploadId());
        storage.Uploads[orphan] = new Core.Attachments.UploadRecord(1, 262160, true, new byte[32], []);
        storage.UploadDays[orphan] = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-8);
        storage.Staged[orphan] = [4, 5, 6];
        storage.Files[$"quarantine/{quarantined}"] = [1, 2, 3];
        _store.AddQuarantine($"upload-{quarantined}", "attachment-orphan", Now - TimeSpan.FromDays(91));
        var before = storage.Snapshot();

        var report = await Service(new RetentionOptions { DryRun = true }, storage).RunAsync(Now, default);

        Assert.Equal(new RetentionReport(true, 0, 0, 1, 0, 0, 0), report);
        Assert.Equal(before, storage.Snapshot());
        Assert.Empty(storage.Quarantined);

        // One read, the tips with files (for files left behind); the sweep, which reads awaited rows and old uploads
        // before it writes anything, made none.
        Assert.Equal(1, storage.Calls);
        Assert.Single(_store.Quarantine);
    }

    [Fact]
    public async Task A_purge_that_stopped_before_the_tips_files_is_finished_by_the_next_run_and_files_of_a_tip_never_purged_are_kept()
    {
        var storage = new Attachments.MemoryAttachmentStorage { Clock = Now };
        var purged = _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 0);
        var unknown = NewTipId();
        foreach (var (tipId, number) in new[] { (purged, 1), (purged, 2), (unknown, 1) })
        {
            var entry = new Core.Attachments.AttachmentEntry(NewUploadId(), [], 1, 262160, "kid", "ek", 1, [], "text/plain", "note-1.txt", "unchecked", []);
            storage.Rows[(tipId, number)] = new Core.Attachments.TipAttachment(tipId, number, Core.Attachments.AttachmentState.Attached, entry);
            storage.Files[$"{tipId}/{number}"] = [1, 2, 3];
        }

        // The first run stops at the files' first storage call: the tip's row, event and notes are gone, its files not.
        storage.FailCall = 1;
        await Assert.ThrowsAsync<StorageUnavailableException>(() => Service(attachments: storage).RunAsync(Now, default));
        storage.FailCall = null;
        Assert.Empty(_store.Tips);
        Assert.Equal(3, storage.Rows.Count);

        var report = await Service(attachments: storage).RunAsync(Now.AddDays(1), default);

        Assert.Equal(new RetentionReport(false, 0, 0, 0, 0, 0, 0) { LeftOverFiles = new(1, 1, 1) }, report);
        Assert.Equal([(unknown, 1)], storage.Rows.Keys);
        Assert.Equal([$"{unknown}/1"], storage.Files.Keys);
        Assert.Equal(["purged", "attachments-purged"], _store.Events.Where(e => e.TipId == purged).Select(e => e.Action));
        Assert.DoesNotContain(_store.Events, e => e.TipId == unknown);
    }

    [Fact]
    public async Task A_dry_run_counts_the_files_left_behind_that_a_run_would_delete_and_those_it_would_keep_and_deletes_none()
    {
        var storage = new Attachments.MemoryAttachmentStorage { Clock = Now };
        var (purged, unknown, stored) = (NewTipId(), NewTipId(), _store.AddTip(TriageStatuses.Closed, Now - TimeSpan.FromDays(400), notes: 0));
        _store.Events.Add(new TipEvent(purged, TriageIds.NewTimeOrdered(Now.AddDays(-1)), Now.AddDays(-1), "retention", "purged", null, null));
        foreach (var (tipId, number) in new[] { (purged, 1), (purged, 2), (unknown, 1), (stored, 1) })
        {
            var entry = new Core.Attachments.AttachmentEntry(NewUploadId(), [], 1, 262160, "kid", "ek", 1, [], "text/plain", "note-1.txt", "unchecked", []);
            storage.Rows[(tipId, number)] = new Core.Attachments.TipAttachment(tipId, number, Core.Attachments.AttachmentState.Attached, entry);
            storage.Files[$"{tipId}/{number}"] = [1, 2, 3];
        }

        var before = storage.Snapshot();
        var events = _store.Events.Count;

        var dry = await Service(new RetentionOptions { DryRun = true }, storage).RunAsync(Now, default);

        // The closed tip this run would purge is still stored: its files go with it, counted as a closed tip.
        Assert.Equal(new RetentionReport(true, 1, 0, 0, 0, 0, 0) { LeftOverFiles = new(1, 0, 1) }, dry);
        Assert.Equal(before, storage.Snapshot());
        Assert.Equal(events, _store.Events.Count);
        Assert.Single(_store.Tips);

        // What a real run then does: the same counts, done.
        var real = await Service(attachments: storage).RunAsync(Now, default);
        Assert.Equal(new RetentionReport(false, 1, 1, 0, 0, 0, 0) { LeftOverFiles = new(1, 1, 1) }, real);
        Assert.Equal([(unknown, 1)], storage.Rows.Keys);
    }

    private static string NewUploadId() => Core.Jwe.JoseBase64.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
}

/// <summary>The claim-check store in memory; records the deletes that removed something.</summary>
internal sealed class InMemoryClaimCheckStore : IClaimCheckStore
{
    private readonly Dictionary<string, (string Jwe, DateTimeOffset WrittenAt)> _items = new(StringComparer.Ordinal);

    public List<string> Names => [.. _items.Keys];

    public List<string> Deleted { get; } = [];

    public void Put(string name, DateTimeOffset writtenAt) => _items[name] = ("jwe-of-" + name, writtenAt);

    public Task PutAsync(string name, string compactJwe, CancellationToken cancellationToken) =>
        throw new NotSupportedException("retention never writes a claim-check");

    public Task<string?> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(_items.TryGetValue(name, out var item) ? item.Jwe : null);

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (_items.Remove(name))
        {
            Deleted.Add(name);
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<ClaimCheck> ListWrittenBeforeAsync(DateTimeOffset writtenBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (name, item) in _items.Where(i => i.Value.WrittenAt < writtenBefore).ToList())
        {
            yield return new ClaimCheck(name, item.WrittenAt);
        }
    }
}

/// <summary>The retention tables in memory, with Table Storage's ETag guard on deletes.</summary>
internal sealed class InMemoryRetentionStore : IRetentionStore
{
    private long _version;

    public Dictionary<string, (string Status, DateTimeOffset LastChangedAt, string ETag)> Tips { get; } = new(StringComparer.Ordinal);

    public List<(string TipId, string NoteId)> Notes { get; } = [];

    public Dictionary<string, (string Reason, DateTimeOffset Timestamp, string ETag)> Quarantine { get; } = new(StringComparer.Ordinal);

    public List<TipEvent> Events { get; } = [];

    public int Deletes { get; private set; }

    public Action? AfterFind { get; set; }

    public Action? AfterQuarantineFind { get; set; }

    public bool FailEvents { get; set; }

    public string AddTip(string status, DateTimeOffset lastChangedAt, int notes)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        Tips[id] = (status, lastChangedAt, NextETag());
        for (var i = 0; i < notes; i++)
        {
            Notes.Add((id, $"note-{i}"));
        }

        return id;
    }

    public void AddQuarantine(string id, string reason, DateTimeOffset timestamp, byte[]? message = null)
    {
        Quarantine[id] = (reason, timestamp, NextETag());
        Messages[id] = message ?? [];
    }

    /// <summary>Each row's <c>Message</c> (a quarantined file's manifest entry), as the store hands a mismatch's to the run.</summary>
    public Dictionary<string, byte[]> Messages { get; } = new(StringComparer.Ordinal);

    public bool FailQuarantineDeletes { get; set; }

    public void Touch(string tipId) => Tips[tipId] = Tips[tipId] with { ETag = NextETag() };

    public async IAsyncEnumerable<ExpiredTip> FindClosedTipsAsync(DateTimeOffset changedBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        var found = Tips.Where(t => t.Value.Status == TriageStatuses.Closed && t.Value.LastChangedAt < changedBefore)
            .Select(t => new ExpiredTip(t.Key, "general", t.Value.ETag)).ToList();
        AfterFind?.Invoke();
        foreach (var tip in found)
        {
            yield return tip;
        }
    }

    public async IAsyncEnumerable<ExpiredQuarantine> FindQuarantineAsync(DateTimeOffset writtenBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        var found = Quarantine.Where(q => q.Value.Timestamp < writtenBefore).ToList();
        AfterQuarantineFind?.Invoke();
        foreach (var entry in found)
        {
            yield return new ExpiredQuarantine(entry.Key, entry.Value.Reason, entry.Value.ETag)
            {
                Message = entry.Value.Reason == "attachment-mismatch" ? Messages.GetValueOrDefault(entry.Key, []) : ReadOnlyMemory<byte>.Empty,
            };
        }
    }

    public Task<IReadOnlySet<string>> StoredTipIdsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(Tips.Keys.ToHashSet(StringComparer.Ordinal));

    public Task<bool> WasPurgedAsync(string tipId, CancellationToken cancellationToken) =>
        Task.FromResult(Events.Any(e => e.TipId == tipId && e.Action == "purged" && e.Actor == "retention"));

    public Task<IReadOnlySet<string>> QuarantinedIdsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlySet<string>>(Quarantine.Keys.ToHashSet(StringComparer.Ordinal));

    public Task<bool> DeleteTipAsync(ExpiredTip tip, CancellationToken cancellationToken)
    {
        Deletes++;
        return Task.FromResult(Tips.TryGetValue(tip.TipId, out var row) && row.ETag == tip.ETag && Tips.Remove(tip.TipId));
    }

    public Task DeleteNotesAsync(string tipId, CancellationToken cancellationToken)
    {
        Deletes++;
        Notes.RemoveAll(n => n.TipId == tipId);
        return Task.CompletedTask;
    }

    public Task<bool> DeleteQuarantineAsync(ExpiredQuarantine entry, CancellationToken cancellationToken)
    {
        if (FailQuarantineDeletes)
        {
            throw new IOException("storage down");
        }

        Deletes++;
        return Task.FromResult(Quarantine.TryGetValue(entry.Id, out var row) && row.ETag == entry.ETag && Quarantine.Remove(entry.Id));
    }

    public Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken)
    {
        if (FailEvents)
        {
            throw new IOException("storage down");
        }

        Events.Add(tipEvent);
        return Task.CompletedTask;
    }

    private string NextETag() => $"W/\"{++_version}\"";
}
