namespace TipIntake.Core.Triage.Index;

/// <summary>What one repair run found and corrected.</summary>
public sealed record IndexRepairReport(int TipsChecked, int MarkersCompleted, int TipsIndexed, int TipsCorrected, int CountsCorrected);

/// <summary>
/// Reconciles the index with <c>Tips</c>, the truth: completes every pending marker, indexes any tip that never was
/// (e.g. stored before the index existed), puts every view and filter entry right (missing, stale or left behind),
/// drops locators of tips that are gone, and recounts the tallied sets. Runs daily (and on demand); the index stays
/// usable while it runs. Term and related-report sets are not compared (they follow the narrative, which never
/// changes; a purge takes a tip out of them).
/// </summary>
public sealed partial class TriageIndexRepair(
    ITriageStore store, IIndexSets sets, ITipLocator locator, TriageIndexer indexer, IndexHasher hasher, ILogger<TriageIndexRepair> logger)
{
    private static readonly string[] ComparedPrefixes = ["v.", "f."];

    public async Task<IndexRepairReport> RunAsync(CancellationToken cancellationToken)
    {
        var markers = 0;
        var tips = new Dictionary<string, TriageTip>(StringComparer.Ordinal);
        await foreach (var row in store.ScanAsync(withContent: false, cancellationToken).ConfigureAwait(false))
        {
            var tip = row;
            if (tip.PendingIndex is not null)
            {
                // The marker's work may need the content (a new tip's terms, a purge): read the whole row.
                if (await store.GetAsync(tip.Summary.Queue, tip.Summary.Id, cancellationToken).ConfigureAwait(false) is not { } whole)
                {
                    continue;
                }

                await indexer.CompleteAsync(whole, cancellationToken).ConfigureAwait(false);
                markers++;
                if (whole.PendingIndex?.Kind == PendingIndexKinds.Purge)
                {
                    continue;
                }

                tip = whole with { StorageETag = await store.ClearPendingIndexAsync(whole, cancellationToken).ConfigureAwait(false) ?? whole.StorageETag, PendingIndex = null };
            }

            tips[tip.Summary.Id] = tip;
        }

        // Tips without a locator were never indexed; locators without a tip are left over.
        var located = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var id in locator.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            located.Add(id);
        }

        var indexed = 0;
        foreach (var tip in tips.Values.Where(t => !located.Contains(t.Summary.Id)))
        {
            if (await store.GetAsync(tip.Summary.Queue, tip.Summary.Id, cancellationToken).ConfigureAwait(false) is { } whole)
            {
                await indexer.IndexNewAsync(whole.Summary, whole.Content, cancellationToken).ConfigureAwait(false);
                indexed++;
            }
        }

        foreach (var id in located.Where(id => !tips.ContainsKey(id)))
        {
            if (await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is null)
            {
                await locator.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }

        var corrected = await ReconcileSetsAsync(tips, cancellationToken).ConfigureAwait(false);

        var recounted = 0;
        var tallied = new HashSet<string>((await sets.ReadTallyAsync(cancellationToken).ConfigureAwait(false)).Keys, StringComparer.Ordinal);
        await foreach (var set in sets.ListSetsAsync(TriageSets.TalliedPrefix, cancellationToken).ConfigureAwait(false))
        {
            tallied.Add(set);
        }

        foreach (var set in tallied)
        {
            recounted += (await sets.RecountAsync(set, cancellationToken).ConfigureAwait(false)).Corrected ? 1 : 0;
        }

        var report = new IndexRepairReport(tips.Count, markers, indexed, corrected, recounted);
        if (markers + indexed + corrected + recounted == 0)
        {
            Log.IndexConsistent(logger, tips.Count);
        }
        else
        {
            Log.IndexRepaired(logger, corrected, markers, recounted, indexed);
        }

        return report;
    }

    /// <summary>
    /// Compares every view and filter with what the tips' summaries put there, and corrects each tip whose entries
    /// differ — from its row as read again just before, so that a change made while the repair ran is not undone.
    /// </summary>
    private async Task<int> ReconcileSetsAsync(Dictionary<string, TriageTip> tips, CancellationToken cancellationToken)
    {
        var expected = new Dictionary<(string Set, string Key), (string TipId, string? Payload)>();
        foreach (var tip in tips.Values)
        {
            foreach (var (set, entry) in TipMemberships.Of(tip.Summary, hasher))
            {
                expected[(set, entry.Key)] = (tip.Summary.Id, entry.Payload);
            }
        }

        var actual = new Dictionary<(string Set, string Key), string?>();
        var names = new HashSet<string>(expected.Keys.Select(k => k.Set), StringComparer.Ordinal);
        foreach (var prefix in ComparedPrefixes)
        {
            await foreach (var set in sets.ListSetsAsync(prefix, cancellationToken).ConfigureAwait(false))
            {
                names.Add(set);
            }
        }

        foreach (var set in names)
        {
            var cursor = sets.Open(set);
            var (from, inclusive) = ("", true);
            while (await cursor.SeekAsync(from, inclusive, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                actual[(set, entry.Key)] = entry.Payload;
                (from, inclusive) = (entry.Key, false);
            }
        }

        var differing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in expected)
        {
            if (!actual.TryGetValue(key, out var payload) || payload != value.Payload)
            {
                differing.Add(value.TipId);
            }
        }

        var leftOver = actual.Keys.Where(key => !expected.ContainsKey(key)).ToList();
        foreach (var key in leftOver)
        {
            differing.Add(IndexKeys.TipIdOf(key.Key));
        }

        var corrected = 0;
        foreach (var tipId in differing)
        {
            var held = actual.Keys.Where(k => IndexKeys.TipIdOf(k.Key) == tipId).ToList();
            corrected += await CorrectAsync(tipId, tips.GetValueOrDefault(tipId)?.Summary.Queue, held, cancellationToken).ConfigureAwait(false);
        }

        return corrected;
    }

    /// <summary>Puts one tip's view and filter entries right from its current row; repeats if the row changes meanwhile.</summary>
    private async Task<int> CorrectAsync(string tipId, string? queue, List<(string Set, string Key)> held, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var before = queue is null
                ? await store.GetAsync(tipId, cancellationToken).ConfigureAwait(false)
                : await store.GetAsync(queue, tipId, cancellationToken).ConfigureAwait(false);
            if (before?.PendingIndex is not null)
            {
                // A change is under way: its own work will put the entries right.
                return 0;
            }

            var should = before is null ? [] : TipMemberships.Of(before.Summary, hasher);
            var changes = held
                .Where(h => !should.Any(s => s.Set == h.Set && s.Entry.Key == h.Key))
                .Select(h => SetChange.Remove(h.Set, h.Key))
                .Concat(should.Select(s => SetChange.Put(s.Set, s.Entry.Key, s.Entry.Payload)))
                .ToList();
            await sets.ApplyAsync(changes, cancellationToken).ConfigureAwait(false);

            var after = before is null ? null : await store.GetAsync(before.Summary.Queue, tipId, cancellationToken).ConfigureAwait(false);
            if (after?.StorageETag == before?.StorageETag)
            {
                return 1;
            }
        }

        return 0;
    }

    private static partial class Log
    {
        [LoggerMessage(4104, LogLevel.Warning, "Index repair: {Fixed} set entries corrected, {Markers} pending markers completed, {Recounted} counts corrected, {Indexed} tips indexed anew")]
        public static partial void IndexRepaired(ILogger logger, int @fixed, int markers, int recounted, int indexed);

        [LoggerMessage(4105, LogLevel.Information, "Index repair: nothing to correct ({Tips} tips checked)")]
        public static partial void IndexConsistent(ILogger logger, int tips);
    }
}
