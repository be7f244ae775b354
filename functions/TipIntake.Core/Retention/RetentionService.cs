using TipIntake.Core.Intake;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Retention;

/// <summary>
/// What one retention run found and deleted. In a dry run nothing is deleted and the purged counts are 0. Orphans are
/// claim-checked JWEs older than <see cref="RetentionOptions.ClaimCheckOrphanAfter"/> with no quarantine row.
/// </summary>
public sealed record RetentionReport(
    bool DryRun,
    int ClosedTipsFound,
    int ClosedTipsPurged,
    int QuarantineFound,
    int QuarantinePurged,
    int OrphanClaimChecksFound,
    int OrphanClaimChecksPurged)
{
    /// <summary>Files an earlier purge left behind (<see cref="Retention.LeftOverFiles"/>); none when the run has no attachments.</summary>
    public LeftOverFiles LeftOverFiles { get; init; } = LeftOverFiles.None;
}

/// <summary>
/// Tips with files but no row (docs/attachments.md, "Retention"): <see cref="Found"/> whose trail records their purge,
/// so their files go (<see cref="Purged"/> of them deleted: 0 in a dry run), and <see cref="Kept"/> whose trail does not,
/// so their files stay.
/// </summary>
public sealed record LeftOverFiles(int Found, int Purged, int Kept)
{
    public static LeftOverFiles None { get; } = new(0, 0, 0);
}

public static class RetentionActions
{
    /// <summary>The audit event's actor: the retention run, not a staff member.</summary>
    public const string Actor = "retention";

    /// <summary>A closed tip's row and notes were deleted. The tip's audit trail stays.</summary>
    public const string Purged = "purged";

    /// <summary>A quarantined message was deleted; the event is keyed by the quarantine id, "from" is the reason code.</summary>
    public const string QuarantinePurged = "quarantine-purged";

    /// <summary>A purged tip's files and their rows were deleted (docs/attachments.md, "Retention"); recorded only when it had any.</summary>
    public const string AttachmentsPurged = "attachments-purged";
}

/// <summary>
/// Purges closed tips unchanged for <see cref="RetentionOptions.ClosedTipsAfter"/> (row, notes and files; the audit trail
/// stays and gains a <c>purged</c> event) and quarantined messages older than <see cref="RetentionOptions.QuarantineAfter"/>,
/// each with its claim-checked JWE (a quarantined file's blob too), then sweeps JWEs left behind
/// (<see cref="RetentionOptions.ClaimCheckOrphanAfter"/>), then runs the attachment sweep once. A dry run counts what
/// it would delete, files left behind included, and deletes nothing; it does not run the sweep, whose decisions are made
/// while it acts (docs/attachments.md, "Retention").
/// Deletes are guarded by the ETag read, so a tip changed meanwhile (reopened) is skipped. A storage failure ends the
/// run with an exception: the timer tries again at its next occurrence, and what was done stays done.
/// </summary>
public sealed class RetentionService(
    IRetentionStore store,
    IClaimCheckStore claimChecks,
    ReceiptIssuer names,
    IOptions<RetentionOptions> options,
    ILogger<RetentionService> logger,
    Attachments.AttachmentRetention? attachments = null)
{
    public async Task<RetentionReport> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var orphansBefore = now - settings.ClaimCheckOrphanAfter;
        var tips = await ToListAsync(store.FindClosedTipsAsync(now - settings.ClosedTipsAfter, cancellationToken), cancellationToken).ConfigureAwait(false);
        var quarantine = await ToListAsync(store.FindQuarantineAsync(now - settings.QuarantineAfter, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (settings.DryRun)
        {
            // The quarantine rows that would be purged still exist here, so their JWEs count as held, not as orphans:
            // a real run deletes those with their rows, before the sweep looks.
            var (wouldSweep, wouldHold) = await FindOrphansAsync(orphansBefore, cancellationToken).ConfigureAwait(false);
            Log.RetentionDryRun(logger, tips.Count, quarantine.Count);
            Log.RetentionClaimChecksDryRun(logger, wouldSweep.Count, wouldHold);
            var wouldRecover = LeftOverFiles.None;
            if (attachments is not null)
            {
                // Only reads: the tips this run would purge are still stored, so their files count with them, not here
                // (a real run deletes those with their tips, before it looks for files left behind).
                var (gone, kept) = await FindLeftOverFilesAsync(attachments, cancellationToken).ConfigureAwait(false);
                wouldRecover = new LeftOverFiles(gone.Count, 0, kept);
                Log.RetentionLeftOverFilesDryRun(logger, gone.Count, kept);
                Log.RetentionAttachmentSweepSkipped(logger);
            }

            return new RetentionReport(true, tips.Count, 0, quarantine.Count, 0, wouldSweep.Count, 0) { LeftOverFiles = wouldRecover };
        }

        var tipsPurged = 0;
        foreach (var tip in tips)
        {
            if (!await store.DeleteTipAsync(tip, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            // The event before the notes: should the run fail in between, the trail says the tip is gone.
            await RecordAsync(new TipEvent(tip.TipId, TriageIds.NewTimeOrdered(now), now, RetentionActions.Actor, RetentionActions.Purged, null, null), cancellationToken)
                .ConfigureAwait(false);
            await store.DeleteNotesAsync(tip.TipId, cancellationToken).ConfigureAwait(false);

            // After the tip's row, as its notes: the files go with the tip that named them.
            if (attachments is not null && await attachments.PurgeTipAsync(tip.TipId, cancellationToken).ConfigureAwait(false) > 0)
            {
                await RecordAsync(
                    new TipEvent(tip.TipId, TriageIds.NewTimeOrdered(now), now, RetentionActions.Actor, RetentionActions.AttachmentsPurged, null, null), cancellationToken)
                    .ConfigureAwait(false);
            }

            // Normally gone since the tip was stored; the processor's delete is best effort, so make sure.
            foreach (var name in names.ClaimCheckNamesOf(tip.TipId))
            {
                await claimChecks.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
            }

            tipsPurged++;
        }

        var recovered = attachments is null ? LeftOverFiles.None : await PurgeLeftOverFilesAsync(attachments, now, cancellationToken).ConfigureAwait(false);

        var quarantinePurged = 0;
        foreach (var entry in quarantine)
        {
            // A quarantined file's blob (attachments/quarantine/<upload>) before its row: the row is the only thing that
            // names the blob, so deleting the row first and failing before the blob would leave a blob nobody can find,
            // while a row whose blob is gone is found again by the next run, which finishes it. (A row quarantined again
            // between the find and its guarded delete keeps its row, not its blob: that takes a new upload with the same
            // id orphaned within those milliseconds, and the blob could not be read without its tip's key anyway.)
            if (attachments is not null)
            {
                await attachments.DeleteQuarantinedBlobAsync(entry, cancellationToken).ConfigureAwait(false);
            }

            // The row (guarded): a row changed meanwhile (quarantined again) keeps its JWE too.
            if (!await store.DeleteQuarantineAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            await RecordAsync(new TipEvent(entry.Id, TriageIds.NewTimeOrdered(now), now, RetentionActions.Actor, RetentionActions.QuarantinePurged, entry.Reason, null), cancellationToken)
                .ConfigureAwait(false);

            // A row keyed by a tip id may have kept that tip's claim-checked JWE; a "msg-<hash>" row names none. Should
            // this delete fail, the JWE has no row any more and the orphan sweep of a later run takes it.
            if (TriageIds.IsTipId(entry.Id))
            {
                foreach (var name in names.ClaimCheckNamesOf(entry.Id))
                {
                    await claimChecks.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
                }
            }

            quarantinePurged++;
        }

        // After the quarantine purge, so that a JWE whose row was just purged is not looked at twice.
        var (orphans, held) = await FindOrphansAsync(orphansBefore, cancellationToken).ConfigureAwait(false);
        foreach (var orphan in orphans)
        {
            // No audit event: an orphan is not a tip (none was stored, or the stored tip has its own trail).
            await claimChecks.DeleteAsync(orphan.Name, cancellationToken).ConfigureAwait(false);
        }

        Log.RetentionPurged(logger, tipsPurged, tips.Count - tipsPurged, quarantinePurged, quarantine.Count - quarantinePurged);
        Log.RetentionClaimChecksSwept(logger, orphans.Count, held);

        // Last, so that a failing sweep costs none of the purges above; it logs its own counts (and writes its own
        // events). A dry run never gets here: the sweep quarantines, and a dry run changes nothing.
        if (attachments is not null)
        {
            await attachments.SweepAsync(now, cancellationToken).ConfigureAwait(false);
        }

        return new RetentionReport(false, tips.Count, tipsPurged, quarantine.Count, quarantinePurged, orphans.Count, orphans.Count) { LeftOverFiles = recovered };
    }

    /// <summary>
    /// Files of a tip whose purge stopped between its row and its files (docs/attachments.md, "Retention"), found by
    /// <see cref="FindLeftOverFilesAsync"/>, deleted, each tip's with an <c>attachments-purged</c> event.
    /// </summary>
    private async Task<LeftOverFiles> PurgeLeftOverFilesAsync(Attachments.AttachmentRetention files, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (gone, kept) = await FindLeftOverFilesAsync(files, cancellationToken).ConfigureAwait(false);
        foreach (var tipId in gone)
        {
            if (await files.PurgeTipAsync(tipId, cancellationToken).ConfigureAwait(false) > 0)
            {
                await RecordAsync(
                    new TipEvent(tipId, TriageIds.NewTimeOrdered(now), now, RetentionActions.Actor, RetentionActions.AttachmentsPurged, null, null), cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        if (gone.Count > 0 || kept > 0)
        {
            Log.RetentionLeftOverFiles(logger, gone.Count, kept);
        }

        return new LeftOverFiles(gone.Count, gone.Count, kept);
    }

    /// <summary>
    /// The tips whose files an earlier purge left behind, and how many tips with files are missing for another reason;
    /// reads only. The tips with files are listed first, then the stored tips — a file's row or blob is written only
    /// after its tip's row, so a tip listed with files and missing from the later list is gone. Its files go only if
    /// its trail also records its purge: a tip missing for any other reason (a table lost or being restored) keeps them.
    /// </summary>
    private async Task<(List<string> Gone, int Kept)> FindLeftOverFilesAsync(Attachments.AttachmentRetention files, CancellationToken cancellationToken)
    {
        var withFiles = await files.ListTipsWithFilesAsync(cancellationToken).ConfigureAwait(false);
        if (withFiles.Count == 0)
        {
            return ([], 0);
        }

        var stored = await store.StoredTipIdsAsync(cancellationToken).ConfigureAwait(false);
        var (gone, kept) = (new List<string>(), 0);
        foreach (var tipId in withFiles.Where(id => !stored.Contains(id)).Order(StringComparer.Ordinal))
        {
            if (await store.WasPurgedAsync(tipId, cancellationToken).ConfigureAwait(false))
            {
                gone.Add(tipId);
            }
            else
            {
                kept++;
            }
        }

        return (gone, kept);
    }

    /// <summary>Claim-checks written before <paramref name="writtenBefore"/> without a quarantine row, and how many have one.</summary>
    private async Task<(List<ClaimCheck> Orphans, int Held)> FindOrphansAsync(DateTimeOffset writtenBefore, CancellationToken cancellationToken)
    {
        var old = await ToListAsync(claimChecks.ListWrittenBeforeAsync(writtenBefore, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (old.Count == 0)
        {
            return ([], 0);
        }

        // One read of the quarantine's ids for the whole sweep, not one look-up per JWE.
        var held = (await store.QuarantinedIdsAsync(cancellationToken).ConfigureAwait(false))
            .SelectMany(id => TriageIds.IsTipId(id) ? names.ClaimCheckNamesOf(id) : [id])
            .ToHashSet(StringComparer.Ordinal);
        var orphans = old.Where(claimCheck => !held.Contains(claimCheck.Name)).ToList();
        return (orphans, old.Count - orphans.Count);
    }

    private async Task RecordAsync(TipEvent tipEvent, CancellationToken cancellationToken)
    {
        try
        {
            await store.AddEventAsync(tipEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.RetentionAuditEventLost(logger, tipEvent.Action, ex.GetType().Name);
            throw;
        }
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}
