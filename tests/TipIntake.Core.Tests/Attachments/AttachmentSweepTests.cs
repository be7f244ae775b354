using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Processing;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>
/// <see cref="AttachmentSweep"/> (docs/attachments.md, "Processing: binding, quarantine"): awaited files attached once
/// their upload is completed or quarantined <c>attachment-missing</c> after <c>AwaitAfter</c>; uploads no tip took
/// quarantined after <c>OrphanAfter</c> (whole days), completed ones as orphans with their blob kept; and a run that
/// failed at any storage call finished by the next.
/// </summary>
public sealed class AttachmentSweepTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 20, 9, 15, 0, TimeSpan.Zero);

    private readonly MemoryAttachmentStorage _storage = new() { Clock = Now };

    [Fact]
    public async Task An_awaited_file_whose_upload_was_completed_since_is_attached()
    {
        var entry = NewEntry();
        var tipId = await AwaitAsync(entry, Now - TimeSpan.FromHours(1));
        var ciphertext = Complete(entry);

        var report = await Sweep().RunAsync(Now, default);

        Assert.Equal(new AttachmentSweepReport(1, 0, 0, 0), report);
        Assert.Equal(AttachmentState.Attached, _storage.Rows[(tipId, 1)].State);
        Assert.Equal(ciphertext, _storage.Files[$"{tipId}/1"]);
        Assert.Empty(_storage.Uploads);
        Assert.Empty(_storage.Quarantined);
    }

    [Fact]
    public async Task A_file_awaited_past_AwaitAfter_is_missing_with_its_entry_kept_and_its_old_open_upload_abandoned()
    {
        var (late, young) = (NewEntry(), NewEntry());
        var lateTip = await AwaitAsync(late, Now - TimeSpan.FromDays(7.1), createdDaysAgo: 8);
        var youngTip = await AwaitAsync(young, Now - TimeSpan.FromDays(6.9), createdDaysAgo: 6);

        var report = await Sweep().RunAsync(Now, default);

        Assert.Equal(new AttachmentSweepReport(0, 1, 0, 1), report);
        Assert.Equal(AttachmentState.Missing, _storage.Rows[(lateTip, 1)].State);
        Assert.Equal(AttachmentState.Awaited, _storage.Rows[(youngTip, 1)].State);
        var missing = _storage.Quarantined[(QuarantineReason.AttachmentMissing, $"{lateTip}-01")];
        Assert.Equal(AttachmentEntryJson.Write(late), missing.Message.ToArray());
        Assert.Equal((lateTip, late.KeyId), (missing.TipId, missing.KeyId));
        Assert.True(_storage.Quarantined.ContainsKey((QuarantineReason.UploadAbandoned, $"upload-{late.Upload}")));
        Assert.Equal([young.Upload], _storage.Uploads.Keys);
        Assert.Equal(2, _storage.Quarantined.Count);
    }

    [Fact]
    public async Task A_file_missing_after_AwaitAfter_is_in_its_tips_trail_once_at_the_hour_it_became_overdue_even_when_a_run_fails_at_the_event()
    {
        var entry = NewEntry();
        var awaitedAt = Now - TimeSpan.FromDays(7.1);
        var tipId = await AwaitAsync(entry, awaitedAt, createdDaysAgo: 8);
        _storage.FailEvent = FailAt.BeforeEffect;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => Sweep().RunAsync(Now, default));
        Assert.True(_storage.Quarantined.ContainsKey((QuarantineReason.AttachmentMissing, $"{tipId}-01")));
        Assert.Equal(AttachmentState.Awaited, _storage.Rows[(tipId, 1)].State);
        Assert.Empty(_storage.Events);

        // The next run, an hour later: the same event, once; then the row.
        Assert.Equal(1, (await Sweep().RunAsync(Now.AddHours(1), default)).Missing);
        await Sweep().RunAsync(Now.AddHours(2), default);

        var missing = Assert.Single(_storage.Events.Values);
        var overdue = awaitedAt + TimeSpan.FromDays(7);
        Assert.Equal(
            (tipId, "processor", "attachment-quarantined", "attachment-missing", "1", new DateTimeOffset(overdue.Year, overdue.Month, overdue.Day, overdue.Hour, 0, 0, TimeSpan.Zero)),
            (missing.TipId, missing.Actor, missing.Action, missing.From, missing.To, missing.At));
        Assert.Equal(AttachmentState.Missing, _storage.Rows[(tipId, 1)].State);
    }

    [Fact]
    public async Task An_awaited_upload_completed_otherwise_is_in_the_trail_at_the_hour_the_tip_named_it()
    {
        var entry = NewEntry();
        var awaitedAt = Now - TimeSpan.FromHours(3.5);
        var tipId = await AwaitAsync(entry, awaitedAt);
        Complete(entry);
        _storage.Uploads[entry.Upload] = _storage.Uploads[entry.Upload] with { Digest = RandomNumberGenerator.GetBytes(32) };

        await Sweep().RunAsync(Now, default);

        var mismatch = Assert.Single(_storage.Events.Values);
        Assert.Equal(AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMismatch, awaitedAt), mismatch);
        Assert.Equal(AttachmentState.Mismatch, _storage.Rows[(tipId, 1)].State);
    }

    /// <summary>
    /// The processor's redelivery and the sweep both quarantine one mismatched file, on either side of an hour: the tip
    /// was received at 22:59 and its file's row written awaited at 23:00, so the processor dates the event 22:00 and the
    /// sweep 23:00. The first to write stops after its event (its row still awaited), so the other quarantines it too.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_the_processor_and_the_sweep_both_quarantine_in_different_hours_is_in_the_trail_once(bool sweepFirst)
    {
        var entry = NewEntry();
        var receivedAt = new DateTimeOffset(2026, 12, 19, 22, 59, 30, TimeSpan.Zero);
        var awaitedAt = new DateTimeOffset(2026, 12, 19, 23, 0, 5, TimeSpan.Zero);
        var tipId = await AwaitAsync(entry, awaitedAt);
        Complete(entry);
        _storage.Uploads[entry.Upload] = _storage.Uploads[entry.Upload] with { Digest = RandomNumberGenerator.GetBytes(32) };
        var processor = new AttachmentBinder(_storage, _storage, _storage, _storage, _storage, Options.Create(new AttachmentOptions()), NullLogger<AttachmentBinder>.Instance);
        Func<Task> redelivery = () => processor.BindAsync(tipId, 1, entry, receivedAt, default);
        Func<Task> sweep = () => Sweep().RunAsync(Now, default);
        var (first, second) = sweepFirst ? (sweep, redelivery) : (redelivery, sweep);

        _storage.FailEvent = FailAt.AfterEffect;
        await Assert.ThrowsAsync<StorageUnavailableException>(first);
        Assert.Equal(AttachmentState.Awaited, _storage.Rows[(tipId, 1)].State);
        await second();

        var quarantined = Assert.Single(_storage.Events.Values);
        var firstHour = sweepFirst ? new DateTimeOffset(2026, 12, 19, 23, 0, 0, TimeSpan.Zero) : new DateTimeOffset(2026, 12, 19, 22, 0, 0, TimeSpan.Zero);
        Assert.Equal((tipId, "attachment-quarantined", "attachment-mismatch", "1", firstHour), (quarantined.TipId, quarantined.Action, quarantined.From, quarantined.To, quarantined.At));
        Assert.Equal(AttachmentState.Mismatch, _storage.Rows[(tipId, 1)].State);
        Assert.Single(_storage.Quarantined);

        // Both paths derive that one id, whatever hour each dates the event.
        Assert.Equal(
            AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMismatch, receivedAt).Id,
            AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMismatch, awaitedAt).Id);
    }

    [Fact]
    public async Task An_upload_no_tip_took_leaves_no_event()
    {
        Complete(NewEntry(), createdDaysAgo: 8);
        Assert.Equal(1, (await Sweep().RunAsync(Now, default)).Orphans);
        Assert.Empty(_storage.Events);
    }

    [Fact]
    public async Task A_completed_upload_no_tip_took_is_an_orphan_after_OrphanAfter_with_its_blob_kept_in_the_quarantine()
    {
        var (old, recent) = (NewEntry(), NewEntry());
        var ciphertext = Complete(old, createdDaysAgo: 7);
        Complete(recent, createdDaysAgo: 6);

        var report = await Sweep().RunAsync(Now, default);

        Assert.Equal(new AttachmentSweepReport(0, 0, 1, 0), report);
        Assert.Equal(ciphertext, _storage.Files[$"quarantine/{old.Upload}"]);
        Assert.Equal([recent.Upload], _storage.Staged.Keys);
        Assert.Equal([recent.Upload], _storage.Uploads.Keys);
        var orphan = Assert.Single(_storage.Quarantined);
        Assert.Equal((QuarantineReason.AttachmentOrphan, $"upload-{old.Upload}"), orphan.Key);
        Assert.True(orphan.Value.Message.IsEmpty);
        Assert.Null(orphan.Value.TipId);
    }

    [Fact]
    public async Task A_sweep_that_failed_at_any_storage_call_is_finished_by_the_next()
    {
        var expected = await World.SweptAsync(failCall: null, afterEffect: false);
        var calls = expected.Calls;

        foreach (var afterEffect in new[] { false, true })
        {
            for (var failing = 1; failing <= calls; failing++)
            {
                var world = await World.SweptAsync(failing, afterEffect);
                Assert.Equal(expected.Snapshot, world.Snapshot);
            }
        }
    }

    private AttachmentSweep Sweep() => Sweep(_storage);

    private static AttachmentSweep Sweep(MemoryAttachmentStorage storage)
    {
        var options = Options.Create(new AttachmentOptions());
        var binder = new AttachmentBinder(storage, storage, storage, storage, storage, options, NullLogger<AttachmentBinder>.Instance);
        return new AttachmentSweep(binder, storage, storage, storage, storage, options, NullLogger<AttachmentSweep>.Instance);
    }

    /// <summary>Binds the entry to a new tip while its upload is open (created that many days ago), as of <paramref name="at"/>.</summary>
    private Task<string> AwaitAsync(AttachmentEntry entry, DateTimeOffset at, int createdDaysAgo = 0) => AwaitAsync(_storage, entry, at, createdDaysAgo);

    private static async Task<string> AwaitAsync(MemoryAttachmentStorage storage, AttachmentEntry entry, DateTimeOffset at, int createdDaysAgo)
    {
        var tipId = TipIntakeService.NewTipId();
        storage.Uploads[entry.Upload] = new UploadRecord(entry.Chunks, entry.ChunkBytes);
        storage.UploadDays[entry.Upload] = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-createdDaysAgo);
        storage.Clock = at;
        Assert.Equal(AttachmentState.Awaited, await BindAsync(storage, tipId, entry));
        storage.Clock = Now;
        return tipId;
    }

    private static Task<AttachmentState> BindAsync(MemoryAttachmentStorage storage, string tipId, AttachmentEntry entry) =>
        new AttachmentBinder(storage, storage, storage, storage, storage, Options.Create(new AttachmentOptions()), NullLogger<AttachmentBinder>.Instance)
            .BindAsync(tipId, 1, entry, storage.Clock, default);

    private byte[] Complete(AttachmentEntry entry, int createdDaysAgo = 0) => Complete(_storage, entry, createdDaysAgo);

    private static byte[] Complete(MemoryAttachmentStorage storage, AttachmentEntry entry, int createdDaysAgo)
    {
        var ciphertext = RandomNumberGenerator.GetBytes(64);
        storage.Uploads[entry.Upload] = new UploadRecord(entry.Chunks, entry.ChunkBytes, true, entry.Digest, []);
        storage.UploadDays.TryAdd(entry.Upload, DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-createdDaysAgo));
        storage.Staged[entry.Upload] = ciphertext;
        return ciphertext;
    }

    private static AttachmentEntry NewEntry() => new(
        JoseBase64.Encode(RandomNumberGenerator.GetBytes(16)), RandomNumberGenerator.GetBytes(32), 1, ChunkLayout.SmallChunkBytes,
        "3", JoseBase64.Encode(RandomNumberGenerator.GetBytes(256)), 100, RandomNumberGenerator.GetBytes(32), "text/plain", "note-1.txt", "unchecked", []);

    /// <summary>One of each: an awaited file completed since, one awaited too long, an orphan, an abandoned upload — the same each time.</summary>
    private static class World
    {
        private static readonly AttachmentEntry[] Entries = [NewEntry(), NewEntry(), NewEntry(), NewEntry()];
        private static readonly string[] Tips = [TipIntakeService.NewTipId(), TipIntakeService.NewTipId()];
        private static readonly byte[] Ciphertext = RandomNumberGenerator.GetBytes(64);

        public static async Task<(string Snapshot, int Calls)> SweptAsync(int? failCall, bool afterEffect)
        {
            var storage = new MemoryAttachmentStorage { Clock = Now - TimeSpan.FromDays(8) };
            foreach (var (tipId, entry) in Tips.Zip(Entries))
            {
                storage.Uploads[entry.Upload] = new UploadRecord(entry.Chunks, entry.ChunkBytes);
                storage.UploadDays[entry.Upload] = DateOnly.FromDateTime(storage.Clock.UtcDateTime);
                Assert.Equal(AttachmentState.Awaited, await BindAsync(storage, tipId, entry));
            }

            storage.Clock = Now;
            storage.Uploads[Entries[0].Upload] = new UploadRecord(1, ChunkLayout.SmallChunkBytes, true, Entries[0].Digest, []);
            storage.Staged[Entries[0].Upload] = Ciphertext;
            storage.Uploads[Entries[2].Upload] = new UploadRecord(1, ChunkLayout.SmallChunkBytes, true, Entries[2].Digest, []);
            storage.UploadDays[Entries[2].Upload] = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-7);
            storage.Staged[Entries[2].Upload] = Ciphertext;
            storage.Uploads[Entries[3].Upload] = new UploadRecord(1, ChunkLayout.SmallChunkBytes);
            storage.UploadDays[Entries[3].Upload] = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-9);
            var start = storage.Calls;

            if (failCall is { } failing)
            {
                storage.FailCall = start + failing;
                storage.FailAfterEffect = afterEffect;
                await Assert.ThrowsAsync<StorageUnavailableException>(() => Sweep(storage).RunAsync(Now, default));
                storage.FailCall = null;
            }

            await Sweep(storage).RunAsync(Now, default);
            var calls = storage.Calls - start;

            // A third run finds nothing more to do.
            Assert.Equal(new AttachmentSweepReport(0, 0, 0, 0), await Sweep(storage).RunAsync(Now, default));
            return (storage.Snapshot(), calls);
        }
    }
}
