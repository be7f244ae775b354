namespace TipIntake.Infrastructure.FloodControl;

/// <summary>
/// Flood control's state shared by every instance, in table <c>FloodControl</c> (docs/flood-control.md, "Shared state"):
/// <list type="bullet">
/// <item>partition <c>state</c>: row <c>floor</c> (Floor, Period, QuietPeriods, Falls), written under its ETag by whichever instance closes
/// a period first, and one row per running instance (<c>instance-{random id}</c>: Period, Accepted, PreviousAccepted, Work, PreviousWork),
/// upserted each second — read together by one single-partition query;</item>
/// <item>partitions <c>spent-{expiry slot}</c>: one row per spent challenge or form ticket nonce (RowKey the nonce's
/// 32 hex digits; <c>By</c>, a random mark of the request that spent it), inserted when a submission is accepted —
/// concurrent spends of one slot in one transaction (<see cref="SpentNonceWriter"/>); a conflict on a row with another
/// mark means it was spent elsewhere — and deleted once the slot has expired;</item>
/// <item>partition <c>bucket</c>: one row per shared token bucket (Tokens, UpdatedTicks), taken from under its ETag.</item>
/// </list>
/// No row names a tip or a reporter. Rows carry Table Storage's own write time, like every row.
/// </summary>
public sealed class TableFloodStore(TableServiceClient tables, TimeProvider time) : IFloodLedger, ISharedBucketStore
{
    private const string StatePartition = "state";
    private const string FloorRow = "floor";
    private const string InstancePrefix = "instance-";
    private const string SpentPrefix = "spent-";
    private const string BucketPartition = "bucket";

    /// <summary>Spent nonces are grouped by expiry in slots this wide; a slot is deleted whole once past.</summary>
    private static readonly TimeSpan SpentSlot = TimeSpan.FromMinutes(1);

    /// <summary>An instance that published nothing for this many periods has stopped; its row is removed.</summary>
    private const long SilentPeriods = 720;

    private readonly TableClient _table = tables.GetTableClient(StorageNames.FloodControlTable);
    private readonly SpentNonceWriter _spends = new(tables.GetTableClient(StorageNames.FloodControlTable));

    public async Task<FloodLedgerSnapshot> SyncAsync(InstanceCount mine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mine);
        var row = new TableEntity(StatePartition, InstancePrefix + mine.InstanceId)
        {
            ["Period"] = mine.Period,
            ["Accepted"] = mine.Accepted,
            ["PreviousAccepted"] = mine.PreviousAccepted,
            ["Work"] = mine.Work,
            ["PreviousWork"] = mine.PreviousWork,
        };
        await _table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken)
            .OrUnavailableAsync("Publishing flood counts", cancellationToken).ConfigureAwait(false);

        var floor = new FloorRecord(new FloorStep(0), long.MinValue, null);
        var instances = new List<InstanceCount>();
        await foreach (var entity in _table.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {StatePartition}"), select: null, "Reading flood state", cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey == FloorRow)
            {
                floor = new FloorRecord(
                    new FloorStep(entity.GetInt32("Floor") ?? 0, entity.GetInt32("QuietPeriods") ?? 0, entity.GetInt32("Falls") ?? 0),
                    entity.GetInt64("Period") ?? long.MinValue,
                    entity.ETag.ToString());
            }
            else if (entity.RowKey.StartsWith(InstancePrefix, StringComparison.Ordinal))
            {
                instances.Add(new InstanceCount(
                    entity.RowKey[InstancePrefix.Length..],
                    entity.GetInt64("Period") ?? 0,
                    entity.GetInt64("Accepted") ?? 0,
                    entity.GetInt64("PreviousAccepted") ?? 0,
                    entity.GetDouble("Work") ?? 0,
                    entity.GetDouble("PreviousWork") ?? 0));
            }
        }

        return new FloodLedgerSnapshot(floor, instances);
    }

    public async Task<bool> TryAdvanceFloorAsync(FloorRecord expected, FloorStep computed, long period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var row = new TableEntity(StatePartition, FloorRow) { ["Floor"] = computed.Floor, ["Period"] = period, ["QuietPeriods"] = computed.QuietPeriods, ["Falls"] = computed.Falls };
        try
        {
            if (expected.Version is null)
            {
                await _table.AddEntityAsync(row, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _table.UpdateEntityAsync(row, new ETag(expected.Version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false; // another instance closed this period first
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Writing the floor", ex);
        }
    }

    /// <remarks>Concurrent spends are written together, one transaction per expiry slot (<see cref="SpentNonceWriter"/>).</remarks>
    public Task<bool> TrySpendAsync(UInt128 nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
        _spends.SpendAsync(SpentPartition(expiresAt), nonce.ToString("x32", CultureInfo.InvariantCulture), cancellationToken);

    public async Task<int> SweepAsync(DateTimeOffset now, long period, CancellationToken cancellationToken)
    {
        var expired = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        await foreach (var entity in _table.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey ge {SpentPrefix} and PartitionKey lt {SpentPartition(now)}"),
            ["PartitionKey", "RowKey"], "Finding expired nonces", cancellationToken).ConfigureAwait(false))
        {
            (expired.TryGetValue(entity.PartitionKey, out var rows) ? rows : expired[entity.PartitionKey] = []).Add(entity);
        }

        var removed = 0;
        foreach (var rows in expired.Values)
        {
            foreach (var chunk in rows.Chunk(100))
            {
                await _table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken)
                    .OrUnavailableAsync("Forgetting expired nonces", cancellationToken).ConfigureAwait(false);
                removed += chunk.Length;
            }
        }

        await foreach (var instance in _table.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {StatePartition} and Period lt {period - SilentPeriods}"),
            ["PartitionKey", "RowKey"], "Finding silent instances", cancellationToken).ConfigureAwait(false))
        {
            if (instance.RowKey.StartsWith(InstancePrefix, StringComparison.Ordinal))
            {
                await _table.DeleteEntityAsync(instance.PartitionKey, instance.RowKey, ETag.All, cancellationToken)
                    .OrUnavailableAsync("Forgetting an instance", cancellationToken).ConfigureAwait(false);
            }
        }

        return removed;
    }

    public async Task<int> TakeAsync(string name, int wanted, double ratePerSecond, int burst, int keepAtLeast, CancellationToken cancellationToken)
    {
        // Optimistic: read, refill by the time elapsed, take, write back under the ETag read; another instance's write in
        // between makes this try again. Nothing is written when nothing can be taken.
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var now = time.GetUtcNow();
            var existing = await _table.GetEntityIfExistsAsync<TableEntity>(BucketPartition, name, cancellationToken: cancellationToken)
                .OrUnavailableAsync("Reading a shared bucket", cancellationToken).ConfigureAwait(false);

            double tokens = burst;
            if (existing.HasValue)
            {
                var row = existing.Value!;
                var elapsed = Math.Max(0, (now.UtcTicks - (row.GetInt64("UpdatedTicks") ?? now.UtcTicks)) / (double)TimeSpan.TicksPerSecond);
                tokens = Math.Min(burst, (row.GetDouble("Tokens") ?? burst) + (elapsed * ratePerSecond));
            }

            var granted = (int)Math.Clamp(Math.Floor(tokens - keepAtLeast), 0, wanted);
            if (granted == 0)
            {
                return 0;
            }

            var updated = new TableEntity(BucketPartition, name) { ["Tokens"] = tokens - granted, ["UpdatedTicks"] = now.UtcTicks };
            try
            {
                if (existing.HasValue)
                {
                    await _table.UpdateEntityAsync(updated, existing.Value!.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _table.AddEntityAsync(updated, cancellationToken).ConfigureAwait(false);
                }

                return granted;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another instance took tokens in between: read again.
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                throw StorageFailures.Wrap("Taking from a shared bucket", ex);
            }
        }

        return 0;
    }

    private static string SpentPartition(DateTimeOffset expiresAt) =>
        SpentPrefix + (expiresAt.UtcTicks / SpentSlot.Ticks).ToString("D12", CultureInfo.InvariantCulture);
}
