using TipIntake.Core.Processing;
using TipIntake.Core.Retention;

namespace TipIntake.Core.Attachments;

/// <summary>
/// The attachments' part of the daily retention run (docs/attachments.md, "Retention"): a purged tip's files and rows,
/// the blob a quarantine row keeps under <c>attachments/quarantine/</c>, and the attachment sweep, once a day, so that a
/// deployment whose 15-minute sweep timer is off still cleans up.
/// </summary>
public sealed class AttachmentRetention(ITipAttachmentStore attachments, IAttachmentBlobs blobs, AttachmentSweep sweep)
{
    /// <summary>Deletes a purged tip's files, then their rows; the number of rows deleted.</summary>
    public Task<int> PurgeTipAsync(string tipId, CancellationToken cancellationToken) => attachments.DeleteAllAsync(tipId, cancellationToken);

    /// <summary>Every tip with a file's row or blob (<see cref="ITipAttachmentStore.ListTipIdsAsync"/>).</summary>
    public Task<IReadOnlySet<string>> ListTipsWithFilesAsync(CancellationToken cancellationToken) => attachments.ListTipIdsAsync(cancellationToken);

    /// <summary>The attachment sweep (<see cref="AttachmentSweep"/>), as its timer runs it.</summary>
    public Task<AttachmentSweepReport> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken) => sweep.RunAsync(now, cancellationToken);

    /// <summary>
    /// The upload whose ciphertext a quarantine row keeps at <c>attachments/quarantine/&lt;upload&gt;</c>: an orphan's
    /// (its id names it) or a mismatch's (its manifest entry does); null for any other row.
    /// </summary>
    public static UploadId? QuarantinedUploadOf(ExpiredQuarantine entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var named = entry.Reason == Codes.Of(QuarantineReason.AttachmentOrphan) && entry.Id.StartsWith(AttachmentSweep.QuarantineIdPrefix, StringComparison.Ordinal)
            ? entry.Id[AttachmentSweep.QuarantineIdPrefix.Length..]
            : entry.Reason == Codes.Of(QuarantineReason.AttachmentMismatch) ? AttachmentEntryJson.UploadOf(entry.Message.Span) : null;
        return UploadId.TryParse(named, out var upload) ? upload : null;
    }

    /// <summary>Deletes the quarantined blob a row keeps, if it keeps one; nothing when it is already gone.</summary>
    public async Task DeleteQuarantinedBlobAsync(ExpiredQuarantine entry, CancellationToken cancellationToken)
    {
        if (QuarantinedUploadOf(entry) is { } upload)
        {
            await blobs.DeleteQuarantinedAsync(upload, cancellationToken).ConfigureAwait(false);
        }
    }
}
