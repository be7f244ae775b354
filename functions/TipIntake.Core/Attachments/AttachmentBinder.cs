using TipIntake.Core.Processing;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Attachments;

/// <summary>
/// Binds the files a stored tip names to their uploads (docs/attachments.md, "Processing: binding, quarantine"). Each
/// entry, numbered from 1 in the tip's order: an upload completed with the entry's <c>D</c> and layout is copied to
/// <c>attachments/&lt;tip id&gt;/&lt;n&gt;</c>, its row written <c>attached</c>, its staged blob and row deleted; one not
/// completed yet leaves an <c>awaited</c> row and a claim on the upload's row for the sweep; one completed otherwise is
/// moved to the quarantine (<c>attachment-mismatch</c>). Entries the reader refused are quarantined, never dropped.
/// Each quarantine of a tip's file is recorded in the tip's trail (<c>attachment-quarantined</c>) under an id derived
/// from the tip, the file's number and the reason only, so a retry, or the sweep quarantining the same file in another
/// hour, writes the same event once. Every step is idempotent and comes in that order, so a redelivered message finishes what a crash left; storage
/// failures throw <see cref="Intake.StorageUnavailableException"/> for the processor to retry the message.
/// </summary>
public sealed class AttachmentBinder(
    IUploadStore uploads,
    IAttachmentBlobs blobs,
    ITipAttachmentStore attachments,
    IQuarantine quarantine,
    IAuditTrail audit,
    IOptions<AttachmentOptions> options,
    ILogger<AttachmentBinder> logger)
{
    /// <summary>The actor of a quarantine's audit event: the processor (and its sweep), not a staff member.</summary>
    public const string Actor = "processor";

    /// <summary>The limits the tip's reader applies to the <c>attachments</c> member (<c>Attachments:MaxFilesPerTip</c> …).</summary>
    public AttachmentLimits Limits => options.Value.Limits;

    /// <summary>The tip's whole member, as the processor stores the tip or a redelivery finds it stored.</summary>
    /// <param name="receivedHour">The tip's received hour (its envelope's): the time of a quarantine's audit event, the same on every delivery.</param>
    public async Task BindAsync(string tipId, AttachmentManifestRead manifest, DateTimeOffset receivedHour, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Fault is { } fault)
        {
            var reason = fault is AttachmentManifestFault.TooManyFiles or AttachmentManifestFault.TooManyBytes
                ? QuarantineReason.AttachmentOverLimit
                : QuarantineReason.AttachmentInvalid;
            await QuarantineAsync(tipId, null, reason, Codes.Of(fault), null, receivedHour, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var (number, refused) in manifest.Rejected)
        {
            await QuarantineAsync(tipId, number, QuarantineReason.AttachmentInvalid, Codes.Of(refused), null, receivedHour, cancellationToken)
                .ConfigureAwait(false);
        }

        foreach (var (number, entry) in Numbered(manifest))
        {
            await BindAsync(tipId, number, entry, receivedHour, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One entry, as stored or redelivered, or <c>awaited</c> and looked at again by the sweep. A row already past
    /// <c>awaited</c> is only cleaned up after: its blob and the upload's row may still be there after a crash.
    /// </summary>
    /// <param name="namedAt">
    /// When the tip named the file — its received hour, or for the sweep the time its <c>awaited</c> row was written —
    /// taken to the hour as the time of a quarantine's audit event: what a retry sees again, so its event id is the same.
    /// </param>
    public async Task<AttachmentState> BindAsync(string tipId, int number, AttachmentEntry entry, DateTimeOffset namedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!UploadId.TryParse(entry.Upload, out var upload))
        {
            throw new ArgumentException("The entry's upload id is not one the manifest reader accepts.", nameof(entry));
        }

        var existing = await attachments.GetAsync(tipId, number, cancellationToken).ConfigureAwait(false);
        if (existing is { State: AttachmentState.Attached or AttachmentState.Mismatch })
        {
            await ForgetUploadAsync(upload, cancellationToken).ConfigureAwait(false);
            return existing.State;
        }

        if (existing is { State: not AttachmentState.Awaited })
        {
            return existing.State;
        }

        var record = await uploads.GetAsync(upload, cancellationToken).ConfigureAwait(false);
        if (record is not { Complete: true })
        {
            if (existing is null)
            {
                await attachments.TryAddAsync(new TipAttachment(tipId, number, AttachmentState.Awaited, entry), cancellationToken).ConfigureAwait(false);
            }

            if (record is not null)
            {
                await uploads.ClaimAsync(upload, tipId, number, cancellationToken).ConfigureAwait(false);
            }

            Log.AttachmentAwaited(logger, number);
            return AttachmentState.Awaited;
        }

        // The claim first: should this binding stop half-way and its message be lost, the sweep finds the tip from the upload.
        await uploads.ClaimAsync(upload, tipId, number, cancellationToken).ConfigureAwait(false);
        return IsTheEntrysFile(record, entry)
            ? await AttachAsync(tipId, number, entry, upload, namedAt, cancellationToken).ConfigureAwait(false)
            : await QuarantineMismatchAsync(tipId, number, entry, upload, namedAt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The Quarantine row key of a tip's file: the tip id and the number as two digits, as its <c>Attachments</c> row.</summary>
    public static string QuarantineId(string tipId, int number) => $"{tipId}-{number:00}";

    /// <summary>The Quarantine row key of a tip's whole <c>attachments</c> member.</summary>
    public static string MemberQuarantineId(string tipId) => $"{tipId}-attachments";

    /// <summary>The entries with their numbers: the reader's entries fill, in order, the numbers it did not reject.</summary>
    public static IEnumerable<(int Number, AttachmentEntry Entry)> Numbered(AttachmentManifestRead manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var rejected = manifest.Rejected.Select(r => r.Number).ToHashSet();
        var number = 0;
        foreach (var entry in manifest.Entries)
        {
            do
            {
                number++;
            }
            while (rejected.Contains(number));

            yield return (number, entry);
        }
    }

    private static bool IsTheEntrysFile(UploadRecord record, AttachmentEntry entry) =>
        record.Chunks == entry.Chunks && record.ChunkBytes == entry.ChunkBytes
        && record.Digest is { } digest && CryptographicOperations.FixedTimeEquals(digest, entry.Digest);

    private async Task<AttachmentState> AttachAsync(
        string tipId, int number, AttachmentEntry entry, UploadId upload, DateTimeOffset namedAt, CancellationToken cancellationToken)
    {
        if (!await blobs.CopyToTipAsync(upload, tipId, number, cancellationToken).ConfigureAwait(false))
        {
            // Completed, yet its blob is nowhere: only the staging container's 30-day backstop deletes one like that.
            await QuarantineAsync(tipId, number, QuarantineReason.AttachmentMissing, "the upload's blob is gone", entry, namedAt, cancellationToken)
                .ConfigureAwait(false);
            await attachments.PutAsync(new TipAttachment(tipId, number, AttachmentState.Missing, entry), cancellationToken).ConfigureAwait(false);
            await uploads.DeleteAsync(upload, cancellationToken).ConfigureAwait(false);
            return AttachmentState.Missing;
        }

        await attachments.PutAsync(new TipAttachment(tipId, number, AttachmentState.Attached, entry), cancellationToken).ConfigureAwait(false);
        await ForgetUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        Log.AttachmentAttached(logger, number);
        return AttachmentState.Attached;
    }

    private async Task<AttachmentState> QuarantineMismatchAsync(
        string tipId, int number, AttachmentEntry entry, UploadId upload, DateTimeOffset namedAt, CancellationToken cancellationToken)
    {
        // Kept whatever it holds: without this entry's key nobody can read it, but ops see that it happened.
        await blobs.CopyToQuarantineAsync(upload, cancellationToken).ConfigureAwait(false);
        await QuarantineAsync(tipId, number, QuarantineReason.AttachmentMismatch,
            "the upload was completed with another digest or layout", entry, namedAt, cancellationToken).ConfigureAwait(false);
        await attachments.PutAsync(new TipAttachment(tipId, number, AttachmentState.Mismatch, entry), cancellationToken).ConfigureAwait(false);
        await ForgetUploadAsync(upload, cancellationToken).ConfigureAwait(false);
        return AttachmentState.Mismatch;
    }

    /// <summary>The last steps of a move: the staged blob, then the upload's row (the row is what says a move is unfinished).</summary>
    private async Task ForgetUploadAsync(UploadId upload, CancellationToken cancellationToken)
    {
        await blobs.DeleteStagedAsync(upload, cancellationToken).ConfigureAwait(false);
        await uploads.DeleteAsync(upload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>How the id of a quarantine's audit event begins (<see cref="QuarantinedEvent"/>); time-ordered ids begin with digits.</summary>
    public const string EventIdPrefix = "q-";

    /// <summary>
    /// The audit event of a quarantined file (<paramref name="number"/>), or of the whole member (null): the reason and
    /// the number only, at <paramref name="at"/> to the hour. Its id is <c>q-</c> and 64 bits of SHA-256 over the tip id,
    /// the number and the reason — no time: the processor (at the tip's received hour) and the sweep (at its awaited
    /// row's hour, or when it became overdue) can both quarantine one file, a redelivery racing a sweep, and a file is
    /// quarantined for a reason once (its row's states never go back to <c>awaited</c>), so the insert-only write keeps
    /// the first event and its hour. The trail still sorts it by that hour (<see cref="TrailOrder"/>).
    /// </summary>
    public static TipEvent QuarantinedEvent(string tipId, int? number, QuarantineReason reason, DateTimeOffset at)
    {
        var hour = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
        var code = Codes.Of(reason);
        var file = number?.ToString("00", CultureInfo.InvariantCulture) ?? "attachments";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{tipId}/{file}/{code}"));
        var id = EventIdPrefix + Convert.ToHexStringLower(digest.AsSpan(0, 8));
        return new TipEvent(tipId, id, hour, Actor, Codes.Of(TipEventAction.AttachmentQuarantined), code, number?.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Quarantines a tip's file (<paramref name="number"/>) or its whole member (null), then records it in the tip's
    /// trail. The row first: a failure in between is retried (the message, or the sweep's next run) and writes both
    /// again, the event under the same id; the caller's next step (the file's row) comes only after both.
    /// </summary>
    /// <remarks>The entry, with its wrapped key, where there is one: never the file's plaintext, which the server never has.</remarks>
    internal async Task QuarantineAsync(
        string tipId, int? number, QuarantineReason reason, string detail, AttachmentEntry? entry, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var id = number is { } n ? QuarantineId(tipId, n) : MemberQuarantineId(tipId);
        var message = entry is null ? ReadOnlyMemory<byte>.Empty : AttachmentEntryJson.Write(entry);
        await quarantine.PutAsync(new QuarantineEntry(id, reason, detail, message, 0, tipId, entry?.KeyId), cancellationToken).ConfigureAwait(false);
        await audit.AddEventAsync(QuarantinedEvent(tipId, number, reason, at), cancellationToken).ConfigureAwait(false);
        Log.AttachmentQuarantined(logger, Codes.Of(reason));
        Log.AttachmentQuarantinedWithId(logger, id, Codes.Of(reason));
    }
}
