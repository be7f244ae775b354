using TipIntake.Core.Retention;
using TipIntake.Core.Triage;

namespace TipIntake.Core.FollowUp;

/// <summary>A closed tip whose thread is still readable: where it is, and <c>H</c> to find its <c>FollowUpKeys</c> row.</summary>
public sealed record ClosedThread(string TipId, string TriageQueue, string? LookupHash);

/// <summary>What ending access to closed threads reads and writes.</summary>
public interface IFollowUpExpiryStore
{
    /// <summary>Tips in status <c>closed</c>, last changed before <paramref name="changedBefore"/>, whose <c>FollowUp</c> is <c>active</c>.</summary>
    IAsyncEnumerable<ClosedThread> FindClosedActiveAsync(DateTimeOffset changedBefore, CancellationToken cancellationToken);

    /// <summary>Deletes the thread's <c>FollowUpKeys</c> row (a row already gone counts as deleted).</summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task DeleteKeyAsync(ClosedThread thread, CancellationToken cancellationToken);

    /// <summary>Sets the tip's <c>FollowUp</c> to <c>expired</c>, leaving every other column (and the tip's version) as it is.</summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task MarkExpiredAsync(ClosedThread thread, CancellationToken cancellationToken);
}

/// <summary>
/// Ends follow-up for reports closed longer than <c>FollowUp:AccessAfterClose</c> (at most
/// <c>Retention:ClosedTipsAfter</c>; docs/follow-up.md, "Retention"), in the daily retention run: the thread's
/// <c>FollowUpKeys</c> row goes — the sealed private key with it, so what was sent to the reporter can never be opened
/// again — then the audit event <c>follow-up-expired</c>, then <c>FollowUp = expired</c>. Each step may be repeated by a
/// later run after a failure; a closed tip never reopens, so deleting the key first is never wrong. From then on the
/// code gets the decoy. <c>Retention:DryRun</c> only counts.
/// </summary>
public sealed partial class FollowUpExpiry(
    IFollowUpExpiryStore store,
    IRetentionStore audit,
    IOptions<FollowUpOptions> options,
    IOptions<RetentionOptions> retention,
    ILogger<FollowUpExpiry> logger)
{
    /// <summary>How many threads were found past their access, and how many were ended (0 in a dry run).</summary>
    public async Task<(int Found, int Ended)> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var after = options.Value.AccessAfterClose < retention.Value.ClosedTipsAfter ? options.Value.AccessAfterClose : retention.Value.ClosedTipsAfter;
        var threads = new List<ClosedThread>();
        await foreach (var thread in store.FindClosedActiveAsync(now - after, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            threads.Add(thread);
        }

        if (retention.Value.DryRun)
        {
            Log.FollowUpExpired(logger, threads.Count, 0, dryRun: true);
            return (threads.Count, 0);
        }

        foreach (var thread in threads)
        {
            await store.DeleteKeyAsync(thread, cancellationToken).ConfigureAwait(false);
            await audit.AddEventAsync(
                new TipEvent(thread.TipId, TriageIds.NewTimeOrdered(now), now, RetentionActions.Actor, Codes.Of(TipEventAction.FollowUpExpired), null, null), cancellationToken).ConfigureAwait(false);
            await store.MarkExpiredAsync(thread, cancellationToken).ConfigureAwait(false);
        }

        Log.FollowUpExpired(logger, threads.Count, threads.Count, dryRun: false);
        return (threads.Count, threads.Count);
    }

    private static partial class Log
    {
        [LoggerMessage(8003, LogLevel.Information, "Follow-up access ended after closing (dry run: {DryRun}): {Found} found, {Ended} ended")]
        public static partial void FollowUpExpired(ILogger logger, int found, int ended, bool dryRun);
    }
}
