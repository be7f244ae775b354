using TipIntake.Core.Processing;

namespace TipIntake.Core.Attachments;

/// <summary>What one sweep did (docs/attachments.md, "Processing: binding, quarantine").</summary>
public sealed record AttachmentSweepReport(int Attached, int Missing, int Orphans, int Abandoned);

/// <summary>
/// The attachment sweep, every 15 minutes: attaches <c>awaited</c> files whose upload has since been completed (the
/// completion route enqueues nothing), quarantines files awaited longer than <see cref="AttachmentOptions.AwaitAfter"/>
/// (<c>attachment-missing</c>, the entry kept), then uploads older than <see cref="AttachmentOptions.OrphanAfter"/>
/// that no tip took: completed ones <c>attachment-orphan</c> with their blob moved to <c>attachments/quarantine/</c>,
/// never completed ones <c>upload-abandoned</c>. Every step repeats safely; a storage failure ends the run with an
/// exception and the next run takes it up again.
/// </summary>
public sealed class AttachmentSweep(
    AttachmentBinder binder,
    IUploadStore uploads,
    IAttachmentBlobs blobs,
    ITipAttachmentStore attachments,
    IQuarantine quarantine,
    IOptions<AttachmentOptions> options,
    ILogger<AttachmentSweep> logger)
{
    public async Task<AttachmentSweepReport> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (attached, missing) = (0, 0);
        var awaited = new List<(TipAttachment Attachment, DateTimeOffset WrittenAt)>();
        await foreach (var row in attachments.ListAwaitedAsync(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            awaited.Add(row);
        }

        foreach (var (attachment, writtenAt) in awaited)
        {
            var state = await binder.BindAsync(attachment.TipId, attachment.Number, attachment.Entry, cancellationToken).ConfigureAwait(false);
            if (state == AttachmentState.Attached)
            {
                attached++;
            }
            else if (state == AttachmentState.Awaited && writtenAt < now - settings.AwaitAfter)
            {
                await MarkMissingAsync(attachment, cancellationToken).ConfigureAwait(false);
                missing++;
            }
        }

        // Whole days: the row keeps the day it was made, so "older than 7 days" is "made on or before 7 days ago".
        var madeBy = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-(int)Math.Ceiling(settings.OrphanAfter.TotalDays));
        var (orphans, abandoned) = (0, 0);
        var old = new List<UploadListing>();
        await foreach (var listing in uploads.ListCreatedByAsync(madeBy, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            old.Add(listing);
        }

        foreach (var listing in old)
        {
            if (await FinishClaimAsync(listing, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if (listing.Record.Complete)
            {
                // Named by no tip, or by one that never took it (purged, or its row no longer awaited): nobody will.
                await blobs.CopyToQuarantineAsync(listing.Upload, cancellationToken).ConfigureAwait(false);
                await QuarantineUploadAsync(listing.Upload, QuarantineReason.AttachmentOrphan, "completed and taken by no tip", cancellationToken).ConfigureAwait(false);
                orphans++;
            }
            else
            {
                // Its staged blocks expire by themselves (an Azure rule); nothing readable is lost.
                await QuarantineUploadAsync(listing.Upload, QuarantineReason.UploadAbandoned, "created and never completed", cancellationToken).ConfigureAwait(false);
                abandoned++;
            }

            await blobs.DeleteStagedAsync(listing.Upload, cancellationToken).ConfigureAwait(false);
            await uploads.DeleteAsync(listing.Upload, cancellationToken).ConfigureAwait(false);
        }

        Log.AttachmentSweepDone(logger, attached, missing, orphans, abandoned);
        return new AttachmentSweepReport(attached, missing, orphans, abandoned);
    }

    /// <summary>
    /// An upload a tip claimed whose binding stopped half-way (its file attached or quarantined, the upload not yet
    /// forgotten), or that was completed after this run's first pass: the tip's binding is finished, not an orphan made.
    /// </summary>
    private async Task<bool> FinishClaimAsync(UploadListing listing, CancellationToken cancellationToken)
    {
        var claim = listing.ClaimedBy?.Split('/');
        if (claim is not [var tipId, var digits] || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || await attachments.GetAsync(tipId, number, cancellationToken).ConfigureAwait(false) is not { } row
            || row.Entry.Upload != listing.Upload.ToString()
            || row.State is not (AttachmentState.Attached or AttachmentState.Mismatch or AttachmentState.Awaited))
        {
            return false;
        }

        var state = await binder.BindAsync(tipId, number, row.Entry, cancellationToken).ConfigureAwait(false);
        return state != AttachmentState.Awaited;
    }

    /// <summary>The Quarantine row key of an upload no tip took.</summary>
    public static string QuarantineId(UploadId upload) => $"upload-{upload}";

    /// <summary>The entry (its wrapped key included) is kept, so that an upload found later can still be attached by a replay.</summary>
    private async Task MarkMissingAsync(TipAttachment attachment, CancellationToken cancellationToken)
    {
        var entry = new QuarantineEntry(AttachmentBinder.QuarantineId(attachment.TipId, attachment.Number), QuarantineReason.AttachmentMissing,
            $"awaited longer than {options.Value.AwaitAfter.TotalDays:0.##} days", AttachmentEntryJson.Write(attachment.Entry), 0, attachment.TipId, attachment.Entry.KeyId);
        await quarantine.PutAsync(entry, cancellationToken).ConfigureAwait(false);
        await attachments.PutAsync(attachment with { State = AttachmentState.Missing }, cancellationToken).ConfigureAwait(false);
        Log.AttachmentQuarantined(logger, Codes.Of(QuarantineReason.AttachmentMissing));
    }

    private async Task QuarantineUploadAsync(UploadId upload, QuarantineReason reason, string detail, CancellationToken cancellationToken)
    {
        await quarantine.PutAsync(new QuarantineEntry(QuarantineId(upload), reason, detail, ReadOnlyMemory<byte>.Empty, 0, null, null), cancellationToken)
            .ConfigureAwait(false);
        Log.AttachmentQuarantined(logger, Codes.Of(reason));
    }
}
