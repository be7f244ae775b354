using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Processing;
using TipIntake.Core.Tests.Processing;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>
/// <see cref="AttachmentBinder"/> under <see cref="TipProcessor"/> (docs/attachments.md, "Processing: binding,
/// quarantine"): each outcome of an entry, entries the reader refused, the configured limits, a redelivery after a
/// failure at every storage call, and a failure never costing the tip.
/// </summary>
public sealed class AttachmentBindingTests
{
    private const int ChunkBytes = ChunkLayout.LargeChunkBytes;

    private readonly MemoryAttachmentStorage _storage = new();
    private readonly AttachmentOptions _options = new();
    private readonly ProcessorHarness _h;

    public AttachmentBindingTests() => _h = new ProcessorHarness(Binder());

    [Fact]
    public async Task A_completed_upload_with_the_same_digest_is_copied_to_the_tip_and_its_upload_forgotten()
    {
        var entry = NewEntry();
        var ciphertext = Complete(entry);

        var (outcome, tipId) = await ProcessAsync(entry);

        Assert.IsType<ProcessingOutcome.Stored>(outcome);
        Assert.Single(_h.Store.Tips);
        AssertRow(tipId, 1, AttachmentState.Attached, entry);
        Assert.Equal(ciphertext, _storage.Files[$"{tipId}/1"]);
        Assert.Empty(_storage.Staged);
        Assert.Empty(_storage.Uploads);
        Assert.Empty(_storage.Quarantined);
    }

    [Fact]
    public async Task An_upload_not_completed_yet_leaves_an_awaited_row_and_the_tip_and_number_on_the_upload()
    {
        var entry = NewEntry();
        _storage.Uploads[entry.Upload] = new UploadRecord(entry.Chunks, entry.ChunkBytes);

        var (outcome, tipId) = await ProcessAsync(entry);

        Assert.IsType<ProcessingOutcome.Stored>(outcome);
        Assert.Equal(AttachmentState.Awaited, _storage.Rows[(tipId, 1)].State);
        Assert.Equal($"{tipId}/1", _storage.Claims[entry.Upload]);
        Assert.Empty(_storage.Files);
        Assert.Empty(_storage.Quarantined);
    }

    [Fact]
    public async Task An_upload_never_created_leaves_an_awaited_row_and_no_upload_row()
    {
        var entry = NewEntry();

        var (_, tipId) = await ProcessAsync(entry);

        AssertRow(tipId, 1, AttachmentState.Awaited, entry);
        Assert.Empty(_storage.Uploads);
        Assert.Empty(_storage.Claims);
    }

    [Theory]
    [InlineData("digest")]
    [InlineData("chunks")]
    [InlineData("chunkBytes")]
    public async Task An_upload_completed_otherwise_is_moved_to_the_quarantine_with_the_entry(string differs)
    {
        var entry = NewEntry();
        var ciphertext = Complete(entry);
        var record = _storage.Uploads[entry.Upload];
        _storage.Uploads[entry.Upload] = differs switch
        {
            "digest" => record with { Digest = RandomNumberGenerator.GetBytes(32) },
            "chunks" => record with { Chunks = entry.Chunks + 1 },
            _ => record with { ChunkBytes = ChunkLayout.SmallChunkBytes },
        };

        var (outcome, tipId) = await ProcessAsync(entry);

        Assert.IsType<ProcessingOutcome.Stored>(outcome);
        Assert.Equal(AttachmentState.Mismatch, _storage.Rows[(tipId, 1)].State);
        Assert.Equal(ciphertext, _storage.Files[$"quarantine/{entry.Upload}"]);
        Assert.DoesNotContain($"{tipId}/1", _storage.Files.Keys);
        Assert.Empty(_storage.Staged);
        Assert.Empty(_storage.Uploads);
        var quarantined = _storage.Quarantined[(QuarantineReason.AttachmentMismatch, $"{tipId}-01")];
        Assert.Equal((tipId, entry.KeyId), (quarantined.TipId, quarantined.KeyId));
        AssertSameEntry(entry, ReadBack(quarantined.Message));
    }

    [Fact]
    public async Task More_files_than_the_configured_count_quarantine_the_member_over_limit_and_the_tip_is_stored()
    {
        _options.MaxFilesPerTip = 2;
        var entries = new[] { NewEntry(), NewEntry(), NewEntry() };
        foreach (var entry in entries)
        {
            Complete(entry);
        }

        var (outcome, tipId) = await ProcessAsync(entries);

        Assert.IsType<ProcessingOutcome.Stored>(outcome);
        Assert.Single(_h.Store.Tips);
        var quarantined = Assert.Single(_storage.Quarantined);
        Assert.Equal((QuarantineReason.AttachmentOverLimit, $"{tipId}-attachments"), quarantined.Key);
        Assert.Equal("too-many-files", quarantined.Value.Detail);
        Assert.Empty(_storage.Rows);
        Assert.Empty(_storage.Files);
        Assert.Equal(3, _storage.Staged.Count);
    }

    [Fact]
    public async Task More_bytes_than_the_configured_total_quarantine_the_member_over_limit()
    {
        _options.MaxBytesPerTip = ChunkLayout.LargePlaintextBytes;
        var (_, tipId) = await ProcessAsync(NewEntry(), NewEntry());

        var quarantined = Assert.Single(_storage.Quarantined);
        Assert.Equal((QuarantineReason.AttachmentOverLimit, $"{tipId}-attachments", "too-many-bytes"), (quarantined.Key.Reason, quarantined.Key.Id, quarantined.Value.Detail));
        Assert.Empty(_storage.Rows);
    }

    [Fact]
    public async Task An_entry_the_reader_refuses_is_quarantined_by_its_number_and_the_others_keep_theirs()
    {
        var (first, third) = (NewEntry(), NewEntry());
        Complete(first);
        Complete(third);
        var refused = JsonDocument.Parse(AttachmentEntryJson.Write(NewEntry())).RootElement.Clone();
        var tipJson = TipJsonWith($"[{Json(first)},{refused.ToString().Replace("image/jpeg", "image/gif", StringComparison.Ordinal)},{Json(third)}]");

        var (outcome, tipId) = await ProcessAsync(tipJson);

        Assert.IsType<ProcessingOutcome.Stored>(outcome);
        var quarantined = Assert.Single(_storage.Quarantined);
        Assert.Equal((QuarantineReason.AttachmentInvalid, $"{tipId}-02", "type-not-allowed"), (quarantined.Key.Reason, quarantined.Key.Id, quarantined.Value.Detail));
        Assert.True(quarantined.Value.Message.IsEmpty);
        Assert.Equal([(1, first.Upload), (3, third.Upload)], _storage.Rows.Values.OrderBy(r => r.Number).Select(r => (r.Number, r.Entry.Upload)));
        Assert.All(_storage.Rows.Values, row => Assert.Equal(AttachmentState.Attached, row.State));
        Assert.Equal([$"{tipId}/1", $"{tipId}/3"], _storage.Files.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_member_that_is_not_an_array_is_quarantined_invalid_and_the_tip_is_stored()
    {
        var (outcome, tipId) = await ProcessAsync(TipJsonWith("{}"));

        Assert.IsType<ProcessingOutcome.Stored>(outcome);
        var quarantined = Assert.Single(_storage.Quarantined);
        Assert.Equal((QuarantineReason.AttachmentInvalid, $"{tipId}-attachments", "not-an-array"), (quarantined.Key.Reason, quarantined.Key.Id, quarantined.Value.Detail));
    }

    public static TheoryData<string, bool> Outcomes() => new()
    {
        { "attach", false }, { "attach", true }, { "await", false }, { "await", true }, { "mismatch", false }, { "mismatch", true },
    };

    /// <summary>
    /// Storage fails at each call in turn — before or after the call took effect — and the message comes back: the tip is
    /// stored on the first delivery whatever happens to its files, the failing delivery asks for a retry, and the
    /// redelivery leaves exactly what one undisturbed delivery leaves.
    /// </summary>
    [Theory]
    [MemberData(nameof(Outcomes))]
    public async Task A_redelivery_after_a_failure_at_any_step_finishes_what_the_first_delivery_began(string outcome, bool afterEffect)
    {
        var (entry, tipId) = (NewEntry(), TipIntakeService.NewTipId());
        var (expected, calls) = await UndisturbedAsync(new BindingRun(outcome, entry, tipId));
        Assert.True(calls >= 4);

        for (var failing = 1; failing <= calls; failing++)
        {
            var h = new BindingRun(outcome, entry, tipId);
            h.Storage.FailCall = failing;
            h.Storage.FailAfterEffect = afterEffect;
            var message = h.Harness.MessageOf(h.Envelope);

            Assert.IsType<ProcessingOutcome.RetryLater>(await h.Harness.ProcessAsync(message));
            Assert.Single(h.Harness.Store.Tips);

            var redelivered = Assert.IsType<ProcessingOutcome.Stored>(await h.Harness.ProcessAsync(h.Harness.MessageOf(h.Envelope, dequeueCount: 2)));
            Assert.True(redelivered.WasRedelivery);
            Assert.Equal(expected, h.Storage.Snapshot());
        }
    }

    [Fact]
    public async Task A_quarantined_file_is_in_its_tips_trail_by_number_and_reason_at_the_received_hour_and_nothing_else_of_it()
    {
        var (mismatched, refusedOne, attached) = (NewEntry(), NewEntry(), NewEntry());
        Complete(mismatched);
        _storage.Uploads[mismatched.Upload] = _storage.Uploads[mismatched.Upload] with { Digest = RandomNumberGenerator.GetBytes(32) };
        Complete(attached);
        var refused = Json(refusedOne).Replace("image/jpeg", "image/gif", StringComparison.Ordinal);

        var (_, tipId) = await ProcessAsync(TipJsonWith($"[{Json(mismatched)},{refused},{Json(attached)}]"));

        var trail = _storage.Events.Values.OrderBy(e => e.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [("attachment-invalid", "2"), ("attachment-mismatch", "1")],
            trail.Select(e => (e.From!, e.To!)).Order());
        Assert.All(trail, e => Assert.Equal((tipId, "processor", "attachment-quarantined", ProcessorHarness.ReceivedHour), (e.TipId, e.Actor, e.Action, e.At)));
        Assert.All(trail, e => Assert.Matches("^q-[0-9a-f]{16}$", e.Id));
        Assert.All(trail, e => Assert.StartsWith($"{ProcessorHarness.ReceivedHour.UtcTicks:D19}-q-", TrailOrder.Key(e), StringComparison.Ordinal));
        var written = string.Join('\n', trail.Select(e => $"{e.Id} {e.From} {e.To}"));
        foreach (var secret in new[] { mismatched, refusedOne, attached }.SelectMany(e => new[] { e.Upload, e.WrappedKey, e.Name }))
        {
            Assert.DoesNotContain(secret, written, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_member_over_the_limit_is_in_the_trail_once_without_a_number()
    {
        _options.MaxFilesPerTip = 1;
        var (_, tipId) = await ProcessAsync(NewEntry(), NewEntry());

        var quarantined = Assert.Single(_storage.Events.Values);
        Assert.Equal((tipId, "attachment-quarantined", "attachment-over-limit", (string?)null), (quarantined.TipId, quarantined.Action, quarantined.From, quarantined.To));
        Assert.Equal(AttachmentBinder.QuarantinedEvent(tipId, null, QuarantineReason.AttachmentOverLimit, ProcessorHarness.ReceivedHour), quarantined);
    }

    /// <summary>
    /// The quarantine row is written, then storage fails at the event (before it is written, or after with its answer
    /// lost): the message is retried, and the redelivery writes the same event once — and only then the file's row.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_redelivery_after_a_failure_between_the_quarantine_and_its_event_records_the_event_once(bool afterEffect)
    {
        var (entry, tipId) = (NewEntry(), TipIntakeService.NewTipId());
        var (expected, _) = await UndisturbedAsync(new BindingRun("mismatch", entry, tipId));
        var run = new BindingRun("mismatch", entry, tipId);
        run.Storage.FailEvent = afterEffect ? FailAt.AfterEffect : FailAt.BeforeEffect;

        Assert.IsType<ProcessingOutcome.RetryLater>(await run.Harness.ProcessAsync(run.Harness.MessageOf(run.Envelope)));
        Assert.Single(run.Storage.Quarantined);
        Assert.Equal(afterEffect ? 1 : 0, run.Storage.Events.Count);
        Assert.DoesNotContain((tipId, 1), run.Storage.Rows.Keys);

        Assert.IsType<ProcessingOutcome.Stored>(await run.Harness.ProcessAsync(run.Harness.MessageOf(run.Envelope, dequeueCount: 2)));
        var quarantined = Assert.Single(run.Storage.Events.Values);
        Assert.Equal(("attachment-mismatch", "1"), (quarantined.From, quarantined.To));
        Assert.Equal(AttachmentState.Mismatch, run.Storage.Rows[(tipId, 1)].State);
        Assert.Equal(expected, run.Storage.Snapshot());
    }

    [Fact]
    public void The_event_id_is_derived_from_the_tip_the_number_and_the_reason_only_and_sorts_by_its_hour()
    {
        var tipId = TipIntakeService.NewTipId();
        var at = new DateTimeOffset(2026, 12, 3, 21, 47, 13, TimeSpan.Zero);
        var one = AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMismatch, at);

        Assert.Equal(one, AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMismatch, at.AddMinutes(12)));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 21, 0, 0, TimeSpan.Zero), one.At);
        Assert.Equal(one.Id, AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMismatch, at.AddDays(8)).Id);
        Assert.NotEqual(one.Id, AttachmentBinder.QuarantinedEvent(tipId, 2, QuarantineReason.AttachmentMismatch, at).Id);
        Assert.NotEqual(one.Id, AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMissing, at).Id);
        Assert.NotEqual(one.Id, AttachmentBinder.QuarantinedEvent(TipIntakeService.NewTipId(), 1, QuarantineReason.AttachmentMismatch, at).Id);
        Assert.True(string.CompareOrdinal(TriageIds.NewTimeOrdered(at.AddHours(-1)), TrailOrder.Key(one)) < 0);
        Assert.True(string.CompareOrdinal(TrailOrder.Key(one), TriageIds.NewTimeOrdered(at.AddHours(1))) < 0);
    }

    [Fact]
    public async Task A_delivery_that_finds_the_file_attached_and_the_upload_gone_leaves_it_attached()
    {
        var entry = NewEntry();
        Complete(entry);
        var (_, tipId) = await ProcessAsync(entry);
        var binder = Binder();

        Assert.Equal(AttachmentState.Attached, await binder.BindAsync(tipId, 1, entry, DateTimeOffset.UtcNow, default));
        Assert.Equal(AttachmentState.Attached, _storage.Rows[(tipId, 1)].State);
        Assert.Single(_storage.Files);
    }

    [Fact]
    public async Task An_awaited_file_is_attached_once_its_upload_is_completed()
    {
        var entry = NewEntry();
        var (_, tipId) = await ProcessAsync(entry);
        Assert.Equal(AttachmentState.Awaited, _storage.Rows[(tipId, 1)].State);

        var ciphertext = Complete(entry);

        Assert.Equal(AttachmentState.Attached, await Binder().BindAsync(tipId, 1, entry, DateTimeOffset.UtcNow, default));
        Assert.Equal(ciphertext, _storage.Files[$"{tipId}/1"]);
        Assert.Empty(_storage.Uploads);
    }

    [Fact]
    public async Task A_completed_upload_whose_blob_is_gone_quarantines_the_file_missing_with_its_entry()
    {
        var entry = NewEntry();
        Complete(entry);
        _storage.Staged.Clear();

        var (outcome, tipId) = await ProcessAsync(entry);

        Assert.IsType<ProcessingOutcome.Stored>(outcome);
        Assert.Equal(AttachmentState.Missing, _storage.Rows[(tipId, 1)].State);
        AssertSameEntry(entry, ReadBack(_storage.Quarantined[(QuarantineReason.AttachmentMissing, $"{tipId}-01")].Message));
        Assert.Empty(_storage.Uploads);
    }

    [Fact]
    public async Task A_tip_without_files_touches_no_attachment_storage()
    {
        Assert.IsType<ProcessingOutcome.Stored>(await _h.ProcessAsync(_h.ValidMessage().Message));
        Assert.Equal(0, _storage.Calls);
    }

    private static async Task<(string Snapshot, int Calls)> UndisturbedAsync(BindingRun run)
    {
        Assert.IsType<ProcessingOutcome.Stored>(await run.Harness.ProcessAsync(run.Harness.MessageOf(run.Envelope)));
        return (run.Storage.Snapshot(), run.Storage.Calls);
    }

    private void AssertRow(string tipId, int number, AttachmentState state, AttachmentEntry entry)
    {
        var row = _storage.Rows[(tipId, number)];
        Assert.Equal((tipId, number, state), (row.TipId, row.Number, row.State));
        AssertSameEntry(entry, row.Entry);
    }

    /// <summary>Entries hold arrays, which records compare by reference: compared as the manifest's JSON.</summary>
    private static void AssertSameEntry(AttachmentEntry expected, AttachmentEntry actual) =>
        Assert.Equal(Json(expected), Json(actual));

    private AttachmentBinder Binder() => Binder(_storage, _options);

    private static AttachmentBinder Binder(MemoryAttachmentStorage storage, AttachmentOptions options) =>
        new(storage, storage, storage, storage, storage, Options.Create(options), NullLogger<AttachmentBinder>.Instance);

    private Task<(ProcessingOutcome Outcome, string TipId)> ProcessAsync(params AttachmentEntry[] entries) =>
        ProcessAsync(TipJsonWith($"[{string.Join(',', entries.Select(Json))}]"));

    private async Task<(ProcessingOutcome Outcome, string TipId)> ProcessAsync(string tipJson)
    {
        var envelope = _h.EnvelopeFor(_h.BuildJwe(tipJson).Compact);
        return (await _h.ProcessAsync(_h.MessageOf(envelope)), envelope.TipId);
    }

    /// <summary>Completes the entry's upload with its digest and layout; returns the staged ciphertext.</summary>
    private byte[] Complete(AttachmentEntry entry) => Complete(_storage, entry);

    private static byte[] Complete(MemoryAttachmentStorage storage, AttachmentEntry entry)
    {
        var ciphertext = RandomNumberGenerator.GetBytes(64);
        storage.Uploads[entry.Upload] = new UploadRecord(entry.Chunks, entry.ChunkBytes, true, entry.Digest, []);
        storage.Staged[entry.Upload] = ciphertext;
        return ciphertext;
    }

    private static string TipJsonWith(string attachments) =>
        ProcessorHarness.ValidTipJson[..^1] + ",\"attachments\":" + attachments + "}";

    private static string Json(AttachmentEntry entry) => Encoding.UTF8.GetString(AttachmentEntryJson.Write(entry));

    /// <summary>The quarantined entry, read as the manifest reader reads a tip's member.</summary>
    private static AttachmentEntry ReadBack(ReadOnlyMemory<byte> message)
    {
        using var document = JsonDocument.Parse($"[{Encoding.UTF8.GetString(message.Span)}]");
        var read = AttachmentManifestReader.Read(document.RootElement.Clone(), new AttachmentLimits());
        return Assert.Single(read.Entries);
    }

    /// <summary>An entry as the form writes it, for a 3 MB photo in 1 MiB chunks.</summary>
    private static AttachmentEntry NewEntry()
    {
        const long size = 3_000_000;
        return new AttachmentEntry(
            JoseBase64.Encode(RandomNumberGenerator.GetBytes(16)), RandomNumberGenerator.GetBytes(32), ChunkLayout.ChunksFor(size, ChunkBytes)!.Value, ChunkBytes,
            "3", JoseBase64.Encode(RandomNumberGenerator.GetBytes(384)), size, RandomNumberGenerator.GetBytes(32), "image/jpeg", "photo-1.jpg", "scrubbed",
            ["location", "serial-number"]);
    }

    /// <summary>A processor with its own storage and one tip naming one file, set up for an outcome.</summary>
    private sealed class BindingRun
    {
        private static readonly byte[] Ciphertext = RandomNumberGenerator.GetBytes(64);
        private static readonly byte[] OtherDigest = RandomNumberGenerator.GetBytes(32);

        public BindingRun(string outcome, AttachmentEntry entry, string tipId)
        {
            Harness = new ProcessorHarness(Binder(Storage, new AttachmentOptions()));
            Storage.Uploads[entry.Upload] = outcome switch
            {
                "await" => new UploadRecord(entry.Chunks, entry.ChunkBytes),
                "mismatch" => new UploadRecord(entry.Chunks, entry.ChunkBytes, true, OtherDigest, []),
                _ => new UploadRecord(entry.Chunks, entry.ChunkBytes, true, entry.Digest, []),
            };
            if (outcome != "await")
            {
                Storage.Staged[entry.Upload] = Ciphertext;
            }

            Envelope = Harness.EnvelopeFor(Harness.BuildJwe(TipJsonWith($"[{Json(entry)}]")).Compact, tipId);
        }

        public MemoryAttachmentStorage Storage { get; } = new();

        public ProcessorHarness Harness { get; }

        public TipEnvelope Envelope { get; }
    }
}
