using System.Runtime.CompilerServices;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Index;
using TipIntake.Core.Triage.Related;

namespace TipIntake.Core.Tests.Triage;

/// <summary>
/// The index's ordered sets in memory: sorted by ordinal key, idempotent puts and removals, sizes tallied for the
/// tallied sets, cursors that count their reads as chunks of <see cref="ChunkSize"/> entries would cost.
/// </summary>
internal sealed class FakeIndexSets : IIndexSets
{
    public const int ChunkSize = 16;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, string?>> _sets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _tally = new(StringComparer.Ordinal);

    /// <summary>How many of the next applies fail as storage would.</summary>
    public int FailApplies { get; set; }

    public IReadOnlyList<SetEntry> Entries(string set)
    {
        lock (_gate)
        {
            return _sets.TryGetValue(set, out var entries) ? [.. entries.Select(e => new SetEntry(e.Key, e.Value))] : [];
        }
    }

    public IReadOnlyList<string> SetNames
    {
        get
        {
            lock (_gate)
            {
                return [.. _sets.Keys];
            }
        }
    }

    /// <summary>Makes a tally wrong, as a crash between a set's write and its tally's could.</summary>
    public void SkewTally(string set, long count)
    {
        lock (_gate)
        {
            _tally[set] = count;
        }
    }

    /// <summary>Changes a set behind the index's back (a lost write, a stray entry).</summary>
    public void Tamper(string set, string key, string? payload, bool remove)
    {
        lock (_gate)
        {
            var entries = _sets.TryGetValue(set, out var existing) ? existing : _sets[set] = new SortedDictionary<string, string?>(StringComparer.Ordinal);
            if (remove)
            {
                entries.Remove(key);
            }
            else
            {
                entries[key] = payload;
            }
        }
    }

    public Task<IReadOnlyDictionary<string, long>> ApplyAsync(
        IReadOnlyList<SetChange> changes, CancellationToken cancellationToken, IndexWrite write = IndexWrite.Now)
    {
        lock (_gate)
        {
            if (FailApplies > 0)
            {
                FailApplies--;
                throw new Core.Intake.StorageUnavailableException("index write failed (forced)");
            }

            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var change in changes)
            {
                var entries = _sets.TryGetValue(change.Set, out var existing) ? existing : _sets[change.Set] = new SortedDictionary<string, string?>(StringComparer.Ordinal);
                var changed = false;
                foreach (var key in change.Removals)
                {
                    changed |= entries.Remove(key);
                }

                foreach (var entry in change.Upserts)
                {
                    changed |= !entries.TryGetValue(entry.Key, out var payload) || payload != entry.Payload;
                    entries[entry.Key] = entry.Payload;
                }

                counts[change.Set] = entries.Count;

                // Like the table store: a write that changes nothing leaves the tally as it is.
                if (changed && change.Set.StartsWith(TriageSets.TalliedPrefix, StringComparison.Ordinal))
                {
                    _tally[change.Set] = entries.Count;
                }
            }

            return Task.FromResult<IReadOnlyDictionary<string, long>>(counts);
        }
    }

    public ISetCursor Open(string setName) => new Cursor(this, setName);

    public Task<long> CountAsync(string setName, CancellationToken cancellationToken) => Task.FromResult((long)Entries(setName).Count);

    public Task<IReadOnlyDictionary<string, long>> ReadTallyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>(_tally, StringComparer.Ordinal));
        }
    }

    public Task<(long Count, bool Corrected)> RecountAsync(string setName, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var count = _sets.TryGetValue(setName, out var entries) ? entries.Count : 0;
            var wrong = _tally.GetValueOrDefault(setName, -1) != count;
            _tally[setName] = count;
            return Task.FromResult(((long)count, wrong));
        }
    }

    public async IAsyncEnumerable<string> ListSetsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var name in SetNames.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            await Task.Yield();
            yield return name;
        }
    }

    private sealed class Cursor(FakeIndexSets sets, string set) : ISetCursor
    {
        private int _lastChunk = -1;

        public int Reads { get; private set; }

        public ValueTask<SetEntry?> SeekAsync(string from, bool inclusive, CancellationToken cancellationToken)
        {
            var entries = sets.Entries(set);
            var at = 0;
            while (at < entries.Count && (string.CompareOrdinal(entries[at].Key, from) < 0 || (!inclusive && entries[at].Key == from)))
            {
                at++;
            }

            var chunk = at / ChunkSize;
            if (chunk != _lastChunk)
            {
                Reads++;
                _lastChunk = chunk;
            }

            return ValueTask.FromResult(at < entries.Count ? entries[at] : null);
        }
    }
}

internal sealed class FakeTipLocator : ITipLocator
{
    private readonly Dictionary<string, string> _queues = new(StringComparer.Ordinal);

    public Task<string?> FindQueueAsync(string tipId, CancellationToken cancellationToken)
    {
        lock (_queues)
        {
            return Task.FromResult(_queues.GetValueOrDefault(tipId));
        }
    }

    public Task PutAsync(string tipId, string queue, CancellationToken cancellationToken)
    {
        lock (_queues)
        {
            _queues[tipId] = queue;
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(string tipId, CancellationToken cancellationToken)
    {
        lock (_queues)
        {
            _queues.Remove(tipId);
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string[] ids;
        lock (_queues)
        {
            ids = [.. _queues.Keys];
        }

        foreach (var id in ids)
        {
            await Task.Yield();
            yield return id;
        }
    }
}

/// <summary>Related lists and decisions in memory, one decision per pair.</summary>
internal sealed class FakeTipRelations(ITriageStore events) : ITipRelations
{
    private readonly Dictionary<string, Dictionary<string, List<RelationReason>>> _lists = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), string> _decisions = [];

    public Task SuggestAsync(string tipId, IReadOnlyList<RelatedSuggestion> suggestions, CancellationToken cancellationToken)
    {
        foreach (var suggestion in suggestions)
        {
            Add(tipId, suggestion.OtherId, suggestion.Reasons);
            Add(suggestion.OtherId, tipId, suggestion.Reasons);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TipRelation>> ListAsync(string tipId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TipRelation>>([.. (_lists.GetValueOrDefault(tipId) ?? []).Select(pair =>
            new TipRelation(pair.Key, pair.Value, _decisions.GetValueOrDefault(Pair(tipId, pair.Key), RelationStates.Suggested)))]);

    public async Task<string> DecideAsync(string tipId, string otherId, string state, IReadOnlyList<TipEvent> decisionEvents, CancellationToken cancellationToken)
    {
        Add(tipId, otherId, [new RelationReason(RelationReasons.Manual)], onlyIfMissing: true);
        Add(otherId, tipId, [new RelationReason(RelationReasons.Manual)], onlyIfMissing: true);
        var before = _decisions.GetValueOrDefault(Pair(tipId, otherId), RelationStates.Suggested);
        _decisions[Pair(tipId, otherId)] = state;
        foreach (var tipEvent in decisionEvents)
        {
            await events.AddEventAsync(tipEvent, cancellationToken);
        }

        return before;
    }

    public Task RemoveAllAsync(string tipId, CancellationToken cancellationToken)
    {
        foreach (var other in _lists.GetValueOrDefault(tipId)?.Keys.ToList() ?? [])
        {
            _lists[other].Remove(tipId);
            _decisions.Remove(Pair(tipId, other));
        }

        _lists.Remove(tipId);
        return Task.CompletedTask;
    }

    private void Add(string tipId, string otherId, IReadOnlyList<RelationReason> reasons, bool onlyIfMissing = false)
    {
        var list = _lists.TryGetValue(tipId, out var existing) ? existing : _lists[tipId] = new Dictionary<string, List<RelationReason>>(StringComparer.Ordinal);
        if (list.ContainsKey(otherId) && onlyIfMissing)
        {
            return;
        }

        list[otherId] = [.. (list.GetValueOrDefault(otherId) ?? []).Concat(reasons).Distinct()];
    }

    private static (string, string) Pair(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
}
