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
            // An awaited row is written once, so its time is what a re-run sees again: the quarantine events' time.
            var state = await binder.BindAsync(attachment.TipId, attachment.Number, attachment.Entry, writtenAt, cancellationToken).ConfigureAwait(false);
            if (state == AttachmentState.Attached)
            {
                attached++;
            }
            else if (state == AttachmentState.Awaited && writtenAt < now - settings.AwaitAfter)
            {
                await MarkMissingAsync(attachment, writtenAt, cancellationToken).ConfigureAwait(false);
                missing++;
            }
        }

        var awaitedSince = awaited.ToDictionary(row => (row.Attachment.TipId, row.Attachment.Number), row => row.WrittenAt);

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
            if (await FinishClaimAsync(listing, awaitedSince, now, cancellationToken).ConfigureAwait(false))
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
    /// <remarks>
    /// A row this run found awaited keeps its time for a quarantine's event; one written since (rare: a tip stored
    /// during the run) takes the run's.
    /// </remarks>
    private async Task<bool> FinishClaimAsync(
        UploadListing listing, Dictionary<(string TipId, int Number), DateTimeOffset> awaitedSince, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var claim = listing.ClaimedBy?.Split('/');
        if (claim is not [var tipId, var digits] || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || await attachments.GetAsync(tipId, number, cancellationToken).ConfigureAwait(false) is not { } row
            || row.Entry.Upload != listing.Upload.ToString()
            || row.State is not (AttachmentState.Attached or AttachmentState.Mismatch or AttachmentState.Awaited))
        {
            return false;
        }

        var namedAt = awaitedSince.GetValueOrDefault((tipId, number), now);
        var state = await binder.BindAsync(tipId, number, row.Entry, namedAt, cancellationToken).ConfigureAwait(false);
        return state != AttachmentState.Awaited;
    }

    /// <summary>How the Quarantine row key of an upload no tip took begins; the upload id follows.</summary>
    public const string QuarantineIdPrefix = "upload-";

    /// <summary>The Quarantine row key of an upload no tip took.</summary>
    public static string QuarantineId(UploadId upload) => QuarantineIdPrefix + upload;

    /// <summary>
    /// The entry (its wrapped key included) is kept, so that an upload found later can still be attached by a replay.
    /// The quarantine and its event before the row: until the row says <c>missing</c>, a re-run finds it awaited with
    /// the same time and writes the same event. The event's time is when the file became overdue, to the hour.
    /// </summary>
    private async Task MarkMissingAsync(TipAttachment attachment, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        var awaitAfter = options.Value.AwaitAfter;
        await binder.QuarantineAsync(attachment.TipId, attachment.Number, QuarantineReason.AttachmentMissing,
            $"awaited longer than {awaitAfter.TotalDays:0.##} days", attachment.Entry, writtenAt + awaitAfter, cancellationToken).ConfigureAwait(false);
        await attachments.PutAsync(attachment with { State = AttachmentState.Missing }, cancellationToken).ConfigureAwait(false);
    }

    private async Task QuarantineUploadAsync(UploadId upload, QuarantineReason reason, string detail, CancellationToken cancellationToken)
    {
        await quarantine.PutAsync(new QuarantineEntry(QuarantineId(upload), reason, detail, ReadOnlyMemory<byte>.Empty, 0, null, null), cancellationToken)
            .ConfigureAwait(false);
        Log.AttachmentQuarantined(logger, Codes.Of(reason));
    }
}
