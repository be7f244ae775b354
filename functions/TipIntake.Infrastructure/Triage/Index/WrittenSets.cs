namespace TipIntake.Infrastructure.Triage.Index;

/// <summary>
/// What this instance last wrote to each of the sets every stored tip touches (views, filters, the pending list): the
/// head and chunks with the ETags the write returned, so that its next write of the set needs no reads — one request to
/// storage instead of three (docs/triage.md, "The index"). Safe because every write replaces the head and each chunk it
/// changes under the ETag it holds: if anyone else wrote the set since, the transaction fails and the flusher forgets
/// the set and reads it afresh. Term and related-report sets are not kept (thousands, each written now and then), and
/// the whole is bounded in size: past the bound it starts again empty.
/// </summary>
internal sealed class WrittenSets
{
    private const long MaxBytes = 16 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Written> _sets = new(StringComparer.Ordinal);
    private long _bytes;

    public static bool Keeps(string set) =>
        set.StartsWith("v.", StringComparison.Ordinal) || set.StartsWith("f.", StringComparison.Ordinal) || set.StartsWith("p.", StringComparison.Ordinal);

    public SetHead? Head(string set) => _sets.TryGetValue(set, out var written) ? written.Head : null;

    /// <summary>A copy of the chunk as last written (the flusher changes chunks in place), or null.</summary>
    public SetChunk? Chunk(string set, int id) =>
        _sets.TryGetValue(set, out var written) && written.Chunks.TryGetValue(id, out var chunk) ? chunk.WithETag(chunk.ETag) : null;

    /// <summary>
    /// After a transaction of <paramref name="set"/>: its new head and the chunks it wrote, with their new ETags. Chunks
    /// kept from an earlier write stay while the new directory still names them.
    /// </summary>
    public void Remember(string set, SetHead head, IReadOnlyList<SetChunk> written)
    {
        if (!Keeps(set) || head.ETag is null || written.Any(chunk => chunk.ETag is null))
        {
            Forget(set);
            return;
        }

        var chunks = new Dictionary<int, SetChunk>();
        if (head.Inline is null)
        {
            var named = head.Chunks.Select(c => c.Id).ToHashSet();
            if (_sets.TryGetValue(set, out var before))
            {
                foreach (var (id, chunk) in before.Chunks.Where(c => named.Contains(c.Key)))
                {
                    chunks[id] = chunk;
                }
            }

            foreach (var chunk in written)
            {
                chunks[chunk.Id] = chunk;
            }
        }

        var entry = new Written(head, chunks, chunks.Values.Sum(c => (long)c.Bytes));
        var replaced = _sets.TryGetValue(set, out var old) ? old.Bytes : 0;
        _sets[set] = entry;
        if (Interlocked.Add(ref _bytes, entry.Bytes - replaced) > MaxBytes)
        {
            _sets.Clear();
            Interlocked.Exchange(ref _bytes, 0);
        }
    }

    /// <summary>The set may have changed under us (or a write's outcome is unknown): read it from storage next time.</summary>
    public void Forget(string set)
    {
        if (_sets.TryRemove(set, out var old))
        {
            Interlocked.Add(ref _bytes, -old.Bytes);
        }
    }

    private sealed record Written(SetHead Head, IReadOnlyDictionary<int, SetChunk> Chunks, long Bytes);
}
