namespace TipIntake.Core.Triage.Index;

/// <summary>
/// Indexes the content of stored tips in batches: takes up to a batch of tips from the pending list
/// (<see cref="TriageSets.PendingContent"/>), indexes their terms and related-report keys together, makes their
/// suggestions and clears their rows' markers. A tip someone else completed meanwhile (a read, a change, the repair
/// job) or that is gone is only taken off the list.
/// </summary>
public sealed class ContentIndexer(IIndexSets sets, ITriageStore store, TriageIndexer indexer)
{
    public const int BatchSize = 500;

    /// <summary>One batch; returns how many pending entries it took off the list (0: nothing was pending).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var pending = new List<SetEntry>();
        var cursor = sets.Open(TriageSets.PendingContent);
        var (from, inclusive) = ("", true);
        while (pending.Count < BatchSize && await cursor.SeekAsync(from, inclusive, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            pending.Add(entry);
            (from, inclusive) = (entry.Key, false);
        }

        if (pending.Count == 0)
        {
            return 0;
        }

        var rows = await Task.WhenAll(pending.Select(entry => entry.Payload is { } queue
            ? store.GetAsync(queue, IndexKeys.TipIdOf(entry.Key), cancellationToken)
            : Task.FromResult<TriageTip?>(null))).ConfigureAwait(false);
        var waiting = rows.OfType<TriageTip>().Where(tip => tip.PendingIndex?.Kind == PendingIndexKinds.New).ToList();
        if (waiting.Count > 0)
        {
            await indexer.IndexContentAsync([.. waiting.Select(tip => (tip.Summary, tip.Content))], cancellationToken, IndexWrite.Background).ConfigureAwait(false);
            await Task.WhenAll(waiting.Select(tip => store.ClearPendingIndexAsync(tip, cancellationToken))).ConfigureAwait(false);
        }

        // Off the list last: should this batch fail before, the list still names every tip whose marker stands.
        await sets.ApplyAsync([new SetChange(TriageSets.PendingContent, [], [.. pending.Select(entry => entry.Key)])], cancellationToken, IndexWrite.Background)
            .ConfigureAwait(false);

        return pending.Count;
    }
}
