namespace TipIntake.Infrastructure.FloodControl;

/// <summary>
/// Inserts spent nonces into their <c>spent-{slot}</c> partition by group commit (docs/flood-control.md, "Shared
/// state"): while one write of a partition is in flight, every spend that arrives for it waits and goes into the next
/// entity-group transaction together — no timer, so a lone spend is one insert, as before. Under load one storage
/// request then spends many stamps instead of one each.
/// </summary>
/// <remarks>
/// <para>Each row carries a random mark of the request that wrote it. When a request's answer is lost (a timeout under
/// load) the client sends it again, and the retry meets the rows the first try wrote: 409. Without the mark that read
/// as "spent elsewhere", and a reporter who had paid for the stamp was told <c>stamp-reused</c> (seen in the flood
/// benchmark). A transaction is all or nothing, so a conflict on a row with this request's own mark means the whole
/// transaction landed on an earlier try.</para>
/// <para>A conflict on another mark is a replay: that nonce alone is answered false and the rest is sent again, until
/// it commits. The same nonce twice in one transaction is refused whole (400), so it is sent once: its first spender
/// gets the answer, any other one false, as if the two had come one after the other.</para>
/// </remarks>
internal sealed class SpentNonceWriter
{
    /// <summary>Entities in one transaction at most (Table Storage's limit; a spent row is ~100 bytes, far below 4 MiB).</summary>
    private const int MaxPerTransaction = 100;

    private const string SpentBy = "By";

    private readonly TableClient _table;
    private readonly GroupCommit<Spend> _spends;

    public SpentNonceWriter(TableClient table)
    {
        _table = table;
        _spends = new GroupCommit<Spend>(WriteAsync, Fail, FitsTransaction);
    }

    /// <summary>
    /// Spends <paramref name="rowKey"/> in <paramref name="partition"/>: true if this call spent it, false if it already
    /// was. Cancelling stops the wait only; the others' transaction goes on.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The store could not be reached.</exception>
    public Task<bool> SpendAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var spend = new Spend(rowKey, cancellationToken);
        _spends.Add(partition, spend);
        return spend.Answer.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Up to a transaction's worth of distinct nonces; a nonce already in the batch joins it whatever its size.</summary>
    private static bool FitsTransaction(List<Spend> batch, Spend next) =>
        batch.Exists(spend => spend.RowKey == next.RowKey)
        || batch.Select(spend => spend.RowKey).Distinct(StringComparer.Ordinal).Count() < MaxPerTransaction;

    /// <summary>One row per nonce, its spenders in the order they came.</summary>
    private Task WriteAsync(string partition, List<Spend> batch)
    {
        // A spender that stopped waiting has had its answer (cancelled); a row nobody waits for any more is not sent.
        var rows = batch
            .Where(spend => !spend.Cancellation.IsCancellationRequested)
            .GroupBy(spend => spend.RowKey, StringComparer.Ordinal)
            .Select(spenders => new Row(spenders.Key, [.. spenders]))
            .ToList();
        return CommitAsync(partition, rows);
    }

    /// <summary>Every spender still waiting gets the failure a single insert gave: storage unavailable (a 503 at intake), each its own exception.</summary>
    private static void Fail(List<Spend> batch, Exception exception)
    {
        foreach (var spend in batch.Where(spend => !spend.Cancellation.IsCancellationRequested))
        {
            spend.Answer.TrySetException(StorageFailures.IsUnavailable(exception, CancellationToken.None)
                ? StorageFailures.Wrap("Spending a stamp", exception)
                : exception);
        }
    }

    private async Task CommitAsync(string partition, List<Row> rows)
    {
        while (rows.Count > 0)
        {
            var mark = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
            int? conflict;
            try
            {
                if (rows.Count == 1)
                {
                    await _table.AddEntityAsync(rows[0].Entity(partition, mark)).ConfigureAwait(false);
                }
                else
                {
                    await _table.SubmitTransactionAsync(rows.Select(row => new TableTransactionAction(TableTransactionActionType.Add, row.Entity(partition, mark))))
                        .ConfigureAwait(false);
                }

                rows.ForEach(row => row.Answer(spent: true));
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                conflict = rows.Count == 1 ? 0 : (ex as TableTransactionFailedException)?.FailedTransactionActionIndex;
            }

            if (conflict is not int index || index < 0 || index >= rows.Count)
            {
                // A conflict that names no row: each one alone then.
                await Task.WhenAll(rows.Select(row => CommitAsync(partition, [row]))).ConfigureAwait(false);
                return;
            }

            var existing = await _table.GetEntityIfExistsAsync<TableEntity>(partition, rows[index].RowKey, [SpentBy]).ConfigureAwait(false);
            if (existing.HasValue && existing.Value!.GetString(SpentBy) == mark)
            {
                rows.ForEach(row => row.Answer(spent: true)); // an earlier try of this very request landed, whole
                return;
            }

            rows[index].Answer(spent: false);
            rows.RemoveAt(index);
        }
    }

    private sealed class Spend(string rowKey, CancellationToken cancellation)
    {
        public string RowKey { get; } = rowKey;

        public CancellationToken Cancellation { get; } = cancellation;

        public TaskCompletionSource<bool> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One nonce in a transaction, and everyone who tried to spend it; the first of them is its spender.</summary>
    private sealed class Row(string rowKey, List<Spend> spenders)
    {
        public string RowKey { get; } = rowKey;

        public List<Spend> Spenders { get; } = spenders;

        public TableEntity Entity(string partition, string mark) => new(partition, RowKey) { [SpentBy] = mark };

        public void Answer(bool spent)
        {
            for (var i = 0; i < Spenders.Count; i++)
            {
                Spenders[i].Answer.TrySetResult(spent && i == 0);
            }
        }
    }
}
