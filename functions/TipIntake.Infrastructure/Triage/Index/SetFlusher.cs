namespace TipIntake.Infrastructure.Triage.Index;

/// <summary>
/// Writes a batch of changes into one set: reads its head and the chunks the changes fall in, changes them in memory
/// (splitting chunks that grew too large, dropping chunks that became empty), and writes head and chunks back in one
/// entity group transaction guarded by every ETag read. Anything that changed meanwhile fails the whole transaction
/// (409/412) and the flush starts again from fresh reads: a set is never half-written. What it wrote last to a hot set
/// it keeps (<see cref="WrittenSets"/>), so that its next write of that set reads nothing.
/// </summary>
internal sealed class SetFlusher(TableClient table, HeadCache heads)
{
    private readonly WrittenSets _written = new();

    /// <summary>Chunks one transaction changes at most (a transaction holds 100 entities and 4 MiB).</summary>
    private const int MaxChunksPerTransaction = 16;

    private const int MaxAttempts = 30;

    /// <summary>Applies <paramref name="ops"/> (key → payload, or null to remove); returns the set's size and version after.</summary>
    public async Task<(long Count, long Version)> FlushAsync(string set, IReadOnlyDictionary<string, SetOp> ops, CancellationToken cancellationToken)
    {
        var remaining = new SortedDictionary<string, SetOp>(ops.ToDictionary(), StringComparer.Ordinal);
        (long Count, long Version) result = default;
        while (true)
        {
            result = await WriteRoundAsync(set, remaining, cancellationToken).ConfigureAwait(false);
            if (remaining.Count == 0)
            {
                return result;
            }
        }
    }

    /// <summary>One transaction's worth: the ops of at most <see cref="MaxChunksPerTransaction"/> chunks, removed from <paramref name="remaining"/> once written.</summary>
    private async Task<(long Count, long Version)> WriteRoundAsync(string set, SortedDictionary<string, SetOp> remaining, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            if (attempt > MaxAttempts)
            {
                throw new Core.Intake.StorageUnavailableException($"The triage index kept changing under a write ({MaxAttempts} attempts).");
            }

            var remembered = _written.Head(set);
            var head = remembered ?? await ReadHeadAsync(set, cancellationToken).ConfigureAwait(false);
            var byChunk = remaining.GroupBy(op => head.IndexOf(op.Key, inclusive: true)).Take(MaxChunksPerTransaction).ToList();
            var reads = await Task.WhenAll(byChunk.Select(async g => (Index: g.Key, Chunk: await LoadAsync(set, head, g.Key, cancellationToken).ConfigureAwait(false))))
                .ConfigureAwait(false);
            if (reads.Any(r => r.Chunk is null))
            {
                _written.Forget(set);
                continue; // A chunk the head named is gone or reshaped: the set changed meanwhile.
            }

            var loaded = reads.ToDictionary(r => r.Index, r => r.Chunk!);

            var changed = false;
            foreach (var group in byChunk)
            {
                changed |= Apply(loaded[group.Key], group);
            }

            var taken = byChunk.SelectMany(g => g.Select(op => op.Key)).ToList();
            if (!changed && remembered is not null)
            {
                // Nothing to do, says what this process wrote last; another instance may have put or changed these
                // entries since, and no transaction would tell. Only storage can say so.
                _written.Forget(set);
                continue;
            }

            if (!changed)
            {
                foreach (var key in taken)
                {
                    remaining.Remove(key);
                }

                return (head.Count, head.Version);
            }

            var plan = await ReshapeAsync(set, head, loaded, cancellationToken).ConfigureAwait(false);
            if (plan is null)
            {
                _written.Forget(set);
                continue;
            }

            try
            {
                var answers = (await table.SubmitTransactionAsync(plan.Value.Actions, cancellationToken).ConfigureAwait(false)).Value;
                heads.Put(set, plan.Value.Head);

                // The answers come in the order of the actions: the head, then the chunks written.
                _written.Remember(
                    set,
                    plan.Value.Head.WithETag(answers[0].Headers.ETag),
                    [.. plan.Value.Written.Select((chunk, i) => chunk.WithETag(answers[i + 1].Headers.ETag))]);
                foreach (var key in taken)
                {
                    remaining.Remove(key);
                }

                return (plan.Value.Head.Count, plan.Value.Head.Version);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
            {
                _written.Forget(set);

                // Another writer (another instance, or the repair job) got there first: read again and redo.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * Math.Min(attempt, 10))), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                _written.Forget(set);
                throw StorageFailures.Wrap("Writing the triage index", ex);
            }
        }
    }

    private static bool Apply(SetChunk chunk, IEnumerable<KeyValuePair<string, SetOp>> ops)
    {
        var changed = false;
        foreach (var (key, op) in ops)
        {
            var at = chunk.IndexOf(key, inclusive: true);
            var present = at < chunk.Entries.Count && chunk.Entries[at].Key == key;
            if (op.Remove)
            {
                if (present)
                {
                    chunk.Entries.RemoveAt(at);
                    changed = true;
                }
            }
            else if (!present)
            {
                chunk.Entries.Insert(at, new SetEntry(key, op.Payload));
                changed = true;
            }
            else if (chunk.Entries[at].Payload != op.Payload)
            {
                chunk.Entries[at] = new SetEntry(key, op.Payload);
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>
    /// The transaction for the changed chunks: oversized chunks split, empty chunks dropped (their range goes to a
    /// neighbour, which is read for that), the head's directory rewritten. Null when a neighbour vanished meanwhile.
    /// </summary>
    private async Task<(SetHead Head, List<TableTransactionAction> Actions, List<SetChunk> Written)?> ReshapeAsync(
        string set, SetHead head, Dictionary<int, SetChunk> loaded, CancellationToken cancellationToken)
    {
        var next = head.NextId;
        var order = new List<(ChunkRef Ref, SetChunk? Chunk, bool Dirty, bool New)>();
        for (var i = 0; i < head.Chunks.Count; i++)
        {
            if (!loaded.TryGetValue(i, out var chunk))
            {
                order.Add((head.Chunks[i], null, false, false));
                continue;
            }

            foreach (var (piece, isNew) in Split(chunk, () => next++))
            {
                order.Add((new ChunkRef(piece.Id, piece.High, piece.Entries.Count), piece, true, isNew));
            }
        }

        var deleted = new List<SetChunk>();
        for (var i = 0; i < order.Count && order.Count > 1; i++)
        {
            if (order[i].Chunk is not { Entries.Count: 0 } empty)
            {
                continue;
            }

            // Its range goes to the next chunk (or, for the last, to the previous one): read that neighbour.
            var neighbour = i + 1 < order.Count ? i + 1 : i - 1;
            var other = order[neighbour].Chunk ?? await LoadByIdAsync(set, order[neighbour].Ref.Id, cancellationToken).ConfigureAwait(false);
            if (other is null)
            {
                return null;
            }

            if (neighbour > i)
            {
                other.Low = empty.Low;
            }
            else
            {
                other.High = empty.High;
            }

            order[neighbour] = (new ChunkRef(other.Id, other.High, other.Entries.Count), other, true, order[neighbour].New);
            if (!order[i].New)
            {
                deleted.Add(empty);
            }

            order.RemoveAt(i);
            i--;
        }

        // Still one chunk that was kept in the head: it stays there (one entity, one write).
        var inline = head.Inline is not null && order.Count == 1 ? order[0].Chunk!.Entries : null;
        var newHead = new SetHead([.. order.Select(o => o.Ref)], next, head.Version + 1, head.ETag, inline);
        var actions = new List<TableTransactionAction>
        {
            head.ETag is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, newHead.ToEntity(set), etag)
                : new TableTransactionAction(TableTransactionActionType.Add, newHead.ToEntity(set)),
        };
        var written = new List<SetChunk>();
        if (inline is not null)
        {
            return (newHead, actions, written);
        }

        foreach (var (_, chunk, dirty, isNew) in order)
        {
            if (chunk is null || !dirty)
            {
                continue;
            }

            actions.Add(isNew || chunk.ETag is not { } chunkETag
                ? new TableTransactionAction(TableTransactionActionType.Add, chunk.ToEntity(set))
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, chunk.ToEntity(set), chunkETag));
            written.Add(chunk);
        }

        actions.AddRange(deleted.Select(chunk => new TableTransactionAction(
            TableTransactionActionType.Delete, new TableEntity(set, SetLayout.ChunkRow(set, chunk.Id)), chunk.ETag ?? ETag.All)));
        return (newHead, actions, written);
    }

    /// <summary>A chunk too large in pieces of about half the limit: the first keeps its id and low bound.</summary>
    private static IEnumerable<(SetChunk Piece, bool IsNew)> Split(SetChunk chunk, Func<int> newId)
    {
        if (chunk.Entries.Count <= SetLayout.MaxEntries && chunk.Bytes <= SetLayout.MaxBytes)
        {
            yield return (chunk, chunk.ETag is null);
            yield break;
        }

        var pieces = new List<List<SetEntry>> { new() };
        var bytes = 0;
        foreach (var entry in chunk.Entries)
        {
            var size = SetChunk.EntryBytes(entry);
            if (pieces[^1].Count > 0 && (pieces[^1].Count >= SetLayout.MaxEntries / 2 || bytes + size > SetLayout.MaxBytes / 2))
            {
                pieces.Add([]);
                bytes = 0;
            }

            pieces[^1].Add(entry);
            bytes += size;
        }

        var low = chunk.Low;
        for (var i = 0; i < pieces.Count; i++)
        {
            var high = i == pieces.Count - 1 ? chunk.High : pieces[i][^1].Key;
            yield return i == 0
                ? (new SetChunk(chunk.Id, low, high, pieces[i], chunk.ETag), chunk.ETag is null)
                : (new SetChunk(newId(), low, high, pieces[i], null), true);
            low = high;
        }
    }

    private async Task<SetHead> ReadHeadAsync(string set, CancellationToken cancellationToken) =>
        await GetAsync(set, SetLayout.HeadRow(set), cancellationToken).ConfigureAwait(false) is { } entity ? SetHead.Read(entity) : SetHead.Empty;

    /// <summary>The chunk at <paramref name="index"/> of the directory (a new empty one for a set never written); null if it is gone.</summary>
    private async Task<SetChunk?> LoadAsync(string set, SetHead head, int index, CancellationToken cancellationToken)
    {
        if (head.Inline is not null)
        {
            return head.InlineChunk();
        }

        var chunk = _written.Chunk(set, head.Chunks[index].Id) ?? await LoadByIdAsync(set, head.Chunks[index].Id, cancellationToken).ConfigureAwait(false);
        return chunk is not null && chunk.Low == head.LowOf(index) && chunk.High == head.Chunks[index].High ? chunk : null;
    }

    private async Task<SetChunk?> LoadByIdAsync(string set, int id, CancellationToken cancellationToken) =>
        await GetAsync(set, SetLayout.ChunkRow(set, id), cancellationToken).ConfigureAwait(false) is { } entity ? SetChunk.Read(entity) : null;

    private Task<TableEntity?> GetAsync(string set, string row, CancellationToken cancellationToken) =>
        table.FindOrUnavailableAsync(set, row, null, "Reading the triage index", cancellationToken);
}

/// <summary>One key's change: a payload to put, or a removal.</summary>
internal readonly record struct SetOp(string? Payload, bool Remove);
