namespace TipIntake.Infrastructure.Triage.Index;

/// <summary>
/// Reads one set forward by point reads: the head (its directory) once, then the chunk holding the position sought,
/// kept until the reader moves past it. Head and chunks are written together atomically, but read one after the
/// other: a chunk whose bounds are not the ones the directory promised was split or merged in between, so the head
/// is read again — a reader never skips an entry that was there all along. For the same reason a head kept from an
/// earlier read (<see cref="HeadCache"/>) is safe to start from: the first chunk that does not match sends the reader
/// back to the stored head.
/// </summary>
internal sealed class TableSetCursor(TableClient table, string set, HeadCache cache) : ISetCursor
{
    private SetHead? _head;
    private SetChunk? _chunk;
    private bool _missing;

    public int Reads { get; private set; }

    public async ValueTask<SetEntry?> SeekAsync(string from, bool inclusive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(from);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_chunk is { } chunk && SetLayout.Covers(chunk.Low, chunk.High, from, inclusive))
            {
                var at = chunk.IndexOf(from, inclusive);
                if (at < chunk.Entries.Count)
                {
                    return chunk.Entries[at];
                }

                if (chunk.High == SetLayout.End)
                {
                    return null;
                }

                // Past this chunk: everything left is after its high.
                (from, inclusive) = (chunk.High, false);
                continue;
            }

            if (_missing)
            {
                return null;
            }

            if (_head is null && (_head = cache.Get(set)) is null && !await LoadHeadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            if (_head!.Inline is not null)
            {
                _chunk = _head.InlineChunk();
                continue;
            }

            var index = _head.IndexOf(from, inclusive);
            var expected = (Low: _head.LowOf(index), High: _head.Chunks[index].High);
            var read = await ReadChunkAsync(_head.Chunks[index].Id, cancellationToken).ConfigureAwait(false);
            if (read is not null && read.Low == expected.Low && read.High == expected.High)
            {
                _chunk = read;
                continue;
            }

            // The set changed shape since the head was read: read the head again.
            _chunk = null;
            if (!await LoadHeadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }

        throw new InvalidOperationException($"Set {set} kept changing shape while being read.");
    }

    private async Task<bool> LoadHeadAsync(CancellationToken cancellationToken)
    {
        Reads++;
        var head = await ReadAsync(SetLayout.HeadRow(set), cancellationToken).ConfigureAwait(false);
        _head = head is null ? null : SetHead.Read(head);
        _missing = head is null;
        cache.Put(set, _head);
        return head is not null;
    }

    private async Task<SetChunk?> ReadChunkAsync(int id, CancellationToken cancellationToken)
    {
        Reads++;
        return await ReadAsync(SetLayout.ChunkRow(set, id), cancellationToken).ConfigureAwait(false) is { } entity ? SetChunk.Read(entity) : null;
    }

    private Task<TableEntity?> ReadAsync(string row, CancellationToken cancellationToken) =>
        table.FindOrUnavailableAsync(set, row, null, "Reading the triage index", cancellationToken);
}

/// <summary>
/// The last head read or written of each view (the sets every page reads), kept in memory so that a page costs one
/// chunk read. Only views whose entries are in chunks of their own: a set kept inline holds its entries in the head,
/// which must be read fresh.
/// </summary>
internal sealed class HeadCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SetHead> _heads = new(StringComparer.Ordinal);

    public SetHead? Get(string set) => _heads.GetValueOrDefault(set);

    public void Put(string set, SetHead? head)
    {
        if (head is { Inline: null } && set.StartsWith("v.", StringComparison.Ordinal))
        {
            _heads[set] = head;
        }
        else
        {
            _heads.TryRemove(set, out _);
        }
    }
}
