using TipIntake.Core.FloodControl;
using TipIntake.Core.Intake;

namespace TipIntake.Core.Tests.Fakes;

/// <summary>
/// The shared flood state in memory, as the table adapter keeps it: one floor record under a version that every write
/// moves on (a write naming an old version fails, as an ETag would), instance counts by id, spent nonces. Several
/// gates and coordinators given one ledger behave as instances sharing one table.
/// </summary>
internal sealed class FakeFloodLedger : IFloodLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, InstanceCount> _instances = new(StringComparer.Ordinal);
    private readonly Dictionary<UInt128, DateTimeOffset> _spent = [];
    private FloorRecord _floor = new(new FloorStep(0), long.MinValue, null);
    private int _version;

    public bool Unavailable { get; set; }

    public int Spends { get; private set; }

    public int FloorWrites { get; private set; }

    public FloorRecord Floor
    {
        get
        {
            lock (_lock)
            {
                return _floor;
            }
        }
    }

    public int SpentCount
    {
        get
        {
            lock (_lock)
            {
                return _spent.Count;
            }
        }
    }

    public Task<FloodLedgerSnapshot> SyncAsync(InstanceCount mine, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_lock)
        {
            _instances[mine.InstanceId] = mine;
            return Task.FromResult(new FloodLedgerSnapshot(_floor, [.. _instances.Values]));
        }
    }

    public Task<bool> TryAdvanceFloorAsync(FloorRecord expected, FloorStep computed, long period, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_lock)
        {
            if (expected.Version != _floor.Version)
            {
                return Task.FromResult(false);
            }

            FloorWrites++;
            _floor = new FloorRecord(computed, period, (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.FromResult(true);
        }
    }

    public Task<bool> TrySpendAsync(UInt128 nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        lock (_lock)
        {
            Spends++;
            return Task.FromResult(_spent.TryAdd(nonce, expiresAt));
        }
    }

    public Task<int> SweepAsync(DateTimeOffset now, long period, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var expired = _spent.Where(pair => pair.Value <= now).Select(pair => pair.Key).ToList();
            foreach (var nonce in expired)
            {
                _spent.Remove(nonce);
            }

            return Task.FromResult(expired.Count);
        }
    }

    private void ThrowIfUnavailable()
    {
        if (Unavailable)
        {
            throw new StorageUnavailableException("flood ledger unavailable (forced)");
        }
    }
}

/// <summary>Shared token buckets in memory, refilled by the clock given, with the take semantics of the table adapter.</summary>
internal sealed class FakeBucketStore(TimeProvider time) : ISharedBucketStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (double Tokens, DateTimeOffset Updated)> _buckets = new(StringComparer.Ordinal);

    public int Takes { get; private set; }

    public Task<int> TakeAsync(string name, int wanted, double ratePerSecond, int burst, int keepAtLeast, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Takes++;
            var now = time.GetUtcNow();
            var tokens = _buckets.TryGetValue(name, out var bucket)
                ? Math.Min(burst, bucket.Tokens + (Math.Max(0, (now - bucket.Updated).TotalSeconds) * ratePerSecond))
                : burst;
            var granted = (int)Math.Clamp(Math.Floor(tokens - keepAtLeast), 0, wanted);
            _buckets[name] = (tokens - granted, now);
            return Task.FromResult(granted);
        }
    }
}
