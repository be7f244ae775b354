using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Retention;

/// <summary>What one retention run found and deleted. In a dry run nothing is deleted and the purged counts are 0.</summary>
public sealed record RetentionReport(bool DryRun, int ClosedTipsFound, int ClosedTipsPurged, int QuarantineFound, int QuarantinePurged);

public static class RetentionActions
{
    /// <summary>The audit event's actor: the retention run, not a staff member.</summary>
    public const string Actor = "retention";

    /// <summary>A closed tip's row and notes were deleted. The tip's audit trail stays.</summary>
    public const string Purged = "purged";

    /// <summary>A quarantined message was deleted; the event is keyed by the quarantine id, "from" is the reason code.</summary>
    public const string QuarantinePurged = "quarantine-purged";
}

/// <summary>
/// Purges closed tips unchanged for <see cref="RetentionOptions.ClosedTipsAfter"/> (row and notes; the audit trail
/// stays and gains a <c>purged</c> event) and quarantined messages older than <see cref="RetentionOptions.QuarantineAfter"/>.
/// Deletes are guarded by the ETag read, so a tip changed meanwhile (reopened) is skipped. A storage failure ends the
/// run with an exception: the timer tries again at its next occurrence, and what was done stays done.
/// </summary>
public sealed class RetentionService(IRetentionStore store, IOptions<RetentionOptions> options, ILogger<RetentionService> logger)
{
    public async Task<RetentionReport> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var tips = await ToListAsync(store.FindClosedTipsAsync(now - settings.ClosedTipsAfter, cancellationToken), cancellationToken).ConfigureAwait(false);
        var quarantine = await ToListAsync(store.FindQuarantineAsync(now - settings.QuarantineAfter, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (settings.DryRun)
        {
            Log.RetentionDryRun(logger, tips.Count, quarantine.Count);
            return new RetentionReport(true, tips.Count, 0, quarantine.Count, 0);
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
            tipsPurged++;
        }

        var quarantinePurged = 0;
        foreach (var entry in quarantine)
        {
            if (!await store.DeleteQuarantineAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            await RecordAsync(new TipEvent(entry.Id, TriageIds.NewTimeOrdered(now), now, RetentionActions.Actor, RetentionActions.QuarantinePurged, entry.Reason, null), cancellationToken)
                .ConfigureAwait(false);
            quarantinePurged++;
        }

        Log.RetentionPurged(logger, tipsPurged, tips.Count - tipsPurged, quarantinePurged, quarantine.Count - quarantinePurged);
        return new RetentionReport(false, tips.Count, tipsPurged, quarantine.Count, quarantinePurged);
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
