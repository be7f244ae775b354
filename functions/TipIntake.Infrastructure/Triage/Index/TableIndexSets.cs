namespace TipIntake.Infrastructure.Triage.Index;

/// <summary>
/// The triage index's ordered sets in table <c>TipIndex</c> (docs/architecture.md, "Tables"): one partition per set,
/// a head row (size, version, directory of chunks) and chunk rows of up to ~1,000 entries each. Reads are point reads
/// only — a page costs the head and one or two chunks, however large the set, on Azure and on Azurite alike (Azurite
/// answers any query by scanning the whole table; point reads use its index). Writes to one set are merged: while a
/// set is being written, every change that arrives for it waits and goes into the next transaction together
/// (<see cref="GroupCommit{TItem}"/>).
/// </summary>
public sealed class TableIndexSets : IIndexSets, IDisposable
{
    /// <summary>Sets written at once, across all callers (each write is a few requests to storage).</summary>
    private const int MaxConcurrentFlushes = 24;

    /// <summary>
    /// Sets the content indexer writes at once, apart from the others: a batch of its tips touches thousands of term
    /// sets, which in one queue with the processor's few would hold up every tip stored meanwhile.
    /// </summary>
    private const int MaxConcurrentBackgroundFlushes = 4;

    /// <summary>Changes merged into one flush of a set at most.</summary>
    private const int MaxOpsPerFlush = 2000;

    private readonly TableClient _table;
    private readonly SetFlusher _flusher;
    private readonly TallyWriter _tally;
    private readonly GroupCommit<PendingWrite> _writes;
    private readonly SemaphoreSlim _flushes = new(MaxConcurrentFlushes);
    private readonly SemaphoreSlim _backgroundFlushes = new(MaxConcurrentBackgroundFlushes);
    private readonly HeadCache _heads = new();

    public TableIndexSets(TableServiceClient tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        _table = tables.GetTableClient(StorageNames.IndexTable);
        _flusher = new SetFlusher(_table, _heads);
        _tally = new TallyWriter(_table);
        _writes = new GroupCommit<PendingWrite>(FlushAsync, Fail, (batch, next) => batch.Sum(w => w.Ops.Count) + next.Ops.Count <= MaxOpsPerFlush);
    }

    public async Task<IReadOnlyDictionary<string, long>> ApplyAsync(
        IReadOnlyList<SetChange> changes, CancellationToken cancellationToken, IndexWrite write = IndexWrite.Now)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var bySet = changes.GroupBy(c => c.Set, StringComparer.Ordinal).ToList();
        var results = await Task.WhenAll(bySet.Select(async group =>
        {
            var ops = new Dictionary<string, SetOp>(StringComparer.Ordinal);
            foreach (var change in group)
            {
                foreach (var key in change.Removals)
                {
                    ops[key] = new SetOp(null, Remove: true);
                }

                foreach (var entry in change.Upserts)
                {
                    ops[entry.Key] = new SetOp(entry.Payload, Remove: false);
                }
            }

            var (count, version) = await EnqueueAsync(group.Key, ops, write).ConfigureAwait(false);
            if (group.Key.StartsWith(TriageSets.TalliedPrefix, StringComparison.Ordinal))
            {
                await _tally.UpdateAsync(group.Key, count, version, cancellationToken).ConfigureAwait(false);
            }

            return (group.Key, count);
        })).ConfigureAwait(false);
        return results.ToDictionary(r => r.Key, r => r.count, StringComparer.Ordinal);
    }

    public ISetCursor Open(string setName) => new TableSetCursor(_table, setName, _heads);

    public async Task<long> CountAsync(string setName, CancellationToken cancellationToken)
    {
        var head = await _table.FindOrUnavailableAsync(setName, SetLayout.HeadRow(setName), ["Count"], "Reading the triage index", cancellationToken).ConfigureAwait(false);
        return head?.GetInt64("Count") ?? 0;
    }

    public void Dispose()
    {
        _flushes.Dispose();
        _backgroundFlushes.Dispose();
    }

    public Task<IReadOnlyDictionary<string, long>> ReadTallyAsync(CancellationToken cancellationToken) => _tally.ReadAsync(cancellationToken);

    public async Task<(long Count, bool Corrected)> RecountAsync(string setName, CancellationToken cancellationToken)
    {
        var set = setName;
        // Every chunk in the directory's order: its true size, and whether the head said the same.
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var entity = await _table.GetEntityIfExistsAsync<TableEntity>(set, SetLayout.HeadRow(set), cancellationToken: cancellationToken).ConfigureAwait(false);
            var head = entity.HasValue ? SetHead.Read(entity.Value!) : SetHead.Empty;
            var chunks = new List<ChunkRef>();
            foreach (var chunk in head.ETag is null || head.Inline is not null ? [] : head.Chunks)
            {
                var row = await _table.GetEntityIfExistsAsync<TableEntity>(set, SetLayout.ChunkRow(set, chunk.Id), cancellationToken: cancellationToken).ConfigureAwait(false);
                chunks.Add(chunk with { Count = row.HasValue ? SetChunk.Read(row.Value!).Entries.Count : 0 });
            }

            var corrected = head.Inline is { } inline
                ? new SetHead([new ChunkRef(0, SetLayout.End, inline.Count)], head.NextId, head.Version + 1, head.ETag, inline)
                : new SetHead(head.ETag is null ? head.Chunks : chunks, head.NextId, head.Version + 1, head.ETag);
            var headWrong = head.ETag is not null && corrected.Count != head.Count;
            if (headWrong)
            {
                try
                {
                    await _table.UpdateEntityAsync(corrected.ToEntity(set), head.ETag!.Value, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException ex) when (ex.Status == 412)
                {
                    continue;
                }
            }

            var tallied = (await _tally.ReadAsync(cancellationToken).ConfigureAwait(false)).GetValueOrDefault(set, -1);
            var tallyWrong = set.StartsWith(TriageSets.TalliedPrefix, StringComparison.Ordinal) && tallied != corrected.Count;
            if (tallyWrong)
            {
                await _tally.UpdateAsync(set, corrected.Count, long.MaxValue, cancellationToken, force: true).ConfigureAwait(false);
            }

            return (corrected.Count, headWrong || tallyWrong);
        }

        throw new Core.Intake.StorageUnavailableException($"Set {set} kept changing while it was recounted.");
    }

    public async IAsyncEnumerable<string> ListSetsAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "\uffff"}");
        await foreach (var row in _table.QueryOrUnavailableAsync(filter, ["PartitionKey", "RowKey"], "Listing index sets", cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == SetLayout.HeadRow(row.PartitionKey))
            {
                yield return row.PartitionKey;
            }
        }
    }

    private Task<(long Count, long Version)> EnqueueAsync(string set, Dictionary<string, SetOp> ops, IndexWrite write)
    {
        var waiter = new TaskCompletionSource<(long, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _writes.Add(set, new PendingWrite(ops, waiter, write));
        return waiter.Task;
    }

    /// <summary>One write of a set: everything that waited for it, merged into one change; answers every waiter.</summary>
    private async Task FlushAsync(string set, List<PendingWrite> batch)
    {
        var merged = new Dictionary<string, SetOp>(StringComparer.Ordinal);
        foreach (var (ops, _, _) in batch)
        {
            foreach (var (key, op) in ops)
            {
                merged[key] = op;
            }
        }

        // Background only when no one in the batch is waiting now.
        var slots = batch.TrueForAll(b => b.Write == IndexWrite.Background) ? _backgroundFlushes : _flushes;
        await slots.WaitAsync().ConfigureAwait(false);
        try
        {
            var result = await _flusher.FlushAsync(set, merged, CancellationToken.None).ConfigureAwait(false);
            batch.ForEach(b => b.Waiter.TrySetResult(result));
        }
        finally
        {
            slots.Release();
        }
    }

    private static void Fail(List<PendingWrite> batch, Exception exception) => batch.ForEach(b => b.Waiter.TrySetException(exception));

    private sealed record PendingWrite(Dictionary<string, SetOp> Ops, TaskCompletionSource<(long, long)> Waiter, IndexWrite Write);
}

/// <summary>
/// The tally: the sizes of the tallied sets (queue-and-status views) in one row, so that the counts are one point
/// read. Each size carries the version of its set's head it was taken at, and is replaced only by a newer one.
/// Updates that arrive while the row is being written go into the next write together (<see cref="GroupCommit{TItem}"/>).
/// </summary>
internal sealed class TallyWriter
{
    private const string Partition = "tally";
    private const string Row = "t";

    private readonly TableClient _table;
    private readonly GroupCommit<TallyUpdate> _writes;

    /// <summary>
    /// The row as this process last wrote it, with its ETag, so that the next write needs no read: a size's version
    /// only grows, so what this says is never newer than the row, and an ETag that no longer matches (another instance
    /// wrote since) fails the write, which then reads the row again. Touched only by the one writer.
    /// </summary>
    private (Dictionary<string, long[]> Sizes, ETag ETag)? _written;

    public TallyWriter(TableClient table)
    {
        _table = table;
        _writes = new GroupCommit<TallyUpdate>(WriteAsync, static (batch, ex) => batch.ForEach(u => u.Written.TrySetException(ex)), static (_, _) => true);
    }

    public async Task<IReadOnlyDictionary<string, long>> ReadAsync(CancellationToken cancellationToken) =>
        (await ReadEntryAsync(cancellationToken).ConfigureAwait(false)).Sizes.ToDictionary(p => p.Key, p => p.Value[0], StringComparer.Ordinal);

    /// <summary>Records a set's size taken at <paramref name="version"/>; <paramref name="force"/> replaces it whatever its version (the repair's recount).</summary>
    public Task UpdateAsync(string set, long count, long version, CancellationToken cancellationToken, bool force = false)
    {
        var update = new TallyUpdate(set, count, version, force, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _writes.Add(Row, update);
        return update.Written.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteAsync(string key, List<TallyUpdate> batch)
    {
        var updates = new Dictionary<string, TallyUpdate>(StringComparer.Ordinal);
        foreach (var update in batch)
        {
            if (!updates.TryGetValue(update.Set, out var known) || update.Force || update.Version > known.Version)
            {
                updates[update.Set] = update;
            }
        }

        try
        {
            await WriteAsync(updates.Values).ConfigureAwait(false);
        }
        catch
        {
            _written = null;
            throw;
        }

        batch.ForEach(u => u.Written.TrySetResult());
    }

    private async Task WriteAsync(IEnumerable<TallyUpdate> updates)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (sizes, etag) = _written is { } written
                ? (new Dictionary<string, long[]>(written.Sizes, StringComparer.Ordinal), written.ETag)
                : await ReadEntryAsync(CancellationToken.None).ConfigureAwait(false);
            var changed = false;
            foreach (var (set, count, version, force, _) in updates)
            {
                var known = sizes.GetValueOrDefault(set);
                if (known is null || force || version > known[1])
                {
                    sizes[set] = [count, force ? known?[1] ?? 0 : version];
                    changed = true;
                }
            }

            if (!changed)
            {
                return;
            }

            var entity = new TableEntity(Partition, Row);
            TextColumns.Write(entity, "S", JsonSerializer.Serialize(sizes, TallyJsonContext.Default.DictionaryStringInt64Array));
            try
            {
                var response = etag is { } current
                    ? await _table.UpdateEntityAsync(entity, current, TableUpdateMode.Replace).ConfigureAwait(false)
                    : await _table.AddEntityAsync(entity).ConfigureAwait(false);
                _written = response.Headers.ETag is { } newETag ? (sizes, newETag) : null;

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 30)
            {
                _written = null;
                await Task.Delay(Random.Shared.Next(2, 20)).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, CancellationToken.None))
            {
                throw StorageFailures.Wrap("Writing the triage counts", ex);
            }
        }
    }

    private async Task<(Dictionary<string, long[]> Sizes, ETag? ETag)> ReadEntryAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!response.HasValue)
            {
                return (new Dictionary<string, long[]>(StringComparer.Ordinal), null);
            }

            var json = TextColumns.Read(response.Value!, "S");
            var sizes = json.Length == 0 ? null : JsonSerializer.Deserialize(json, TallyJsonContext.Default.DictionaryStringInt64Array);
            return (new Dictionary<string, long[]>(sizes ?? [], StringComparer.Ordinal), response.Value!.ETag);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Reading the triage counts", ex);
        }
    }

    private sealed record TallyUpdate(string Set, long Count, long Version, bool Force, TaskCompletionSource Written);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, long[]>))]
internal sealed partial class TallyJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
