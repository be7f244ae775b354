namespace TipIntake.Core.Triage.Index;

/// <summary>An entry of an ordered set: its key, which orders the set, and an optional payload (a tip summary in views).</summary>
public sealed record SetEntry(string Key, string? Payload);

/// <summary>Entries to put into one set (a payload replaces the one there) and keys to take out; both idempotent.</summary>
public sealed record SetChange(string Set, IReadOnlyList<SetEntry> Upserts, IReadOnlyList<string> Removals)
{
    public static SetChange Put(string set, string key, string? payload = null) => new(set, [new SetEntry(key, payload)], []);

    public static SetChange Remove(string set, string key) => new(set, [], [key]);
}

/// <summary>
/// Who waits for a write: the processor storing a tip and staff changing one (<see cref="Now"/>: lists and counts show
/// it at once), or the content indexer catching up behind them (<see cref="Background"/>), whose writes must never
/// queue ahead of theirs — one batch of tips can touch thousands of term sets.
/// </summary>
public enum IndexWrite
{
    Now,
    Background,
}

/// <summary>
/// Named ordered sets of entries, the triage index's one storage structure: each set is read in key order from any
/// key, by point reads, and changed atomically set by set. Sets whose names start with
/// <see cref="TriageSets.TalliedPrefix"/> also have their sizes kept in one tally that reads at once.
/// </summary>
public interface IIndexSets
{
    /// <summary>
    /// Applies the changes (each set's atomically; different sets independently, so a failure may leave some applied:
    /// every change is idempotent, so the caller repeats the whole). Concurrent changes of one set are merged.
    /// Returns the size of each changed set once the change is in. <paramref name="write"/> says who waits for it.
    /// </summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task<IReadOnlyDictionary<string, long>> ApplyAsync(
        IReadOnlyList<SetChange> changes, CancellationToken cancellationToken, IndexWrite write = IndexWrite.Now);

    /// <summary>A reader of one set, holding what it has read (a set is read a chunk at a time).</summary>
    ISetCursor Open(string setName);

    /// <summary>How many entries the set holds (0 for a set never written).</summary>
    Task<long> CountAsync(string setName, CancellationToken cancellationToken);

    /// <summary>The sizes of every tallied set, in one read.</summary>
    Task<IReadOnlyDictionary<string, long>> ReadTallyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Recounts a set from its entries (its head and its tally), for the repair job. Returns the count found and
    /// whether anything had to be corrected.
    /// </summary>
    Task<(long Count, bool Corrected)> RecountAsync(string setName, CancellationToken cancellationToken);

    /// <summary>Names of the sets that exist and start with <paramref name="prefix"/> (the repair job's scan).</summary>
    IAsyncEnumerable<string> ListSetsAsync(string prefix, CancellationToken cancellationToken);
}

/// <summary>Reads one set forward. Not thread-safe: one reader per query.</summary>
public interface ISetCursor
{
    /// <summary>The first entry whose key is ≥ <paramref name="from"/> (or &gt; it when not inclusive); null past the end.</summary>
    ValueTask<SetEntry?> SeekAsync(string from, bool inclusive, CancellationToken cancellationToken);

    /// <summary>Storage reads this cursor made, to bound a query's work.</summary>
    int Reads { get; }
}
