namespace TipIntake.Core.FloodControl;

/// <summary>The floor as shared by every instance: its value and the last period whose rate it was computed from.</summary>
/// <param name="Version">The store's own version of the record (an ETag), for the guarded update; null if never written.</param>
/// <param name="Step">The floor with the count of quiet periods and falls behind it (<see cref="FloorController"/>).</param>
public sealed record FloorRecord(FloorStep Step, long Period, string? Version)
{
    public int Floor => Step.Floor;
}

/// <summary>
/// One instance's accepted script-path submissions in a period and the one before it, and the work they were asked
/// for (<see cref="FloodGate.WorkIn"/>: 2^floor each).
/// </summary>
public sealed record InstanceCount(string InstanceId, long Period, long Accepted, long PreviousAccepted, double Work = 0, double PreviousWork = 0)
{
    /// <summary>This instance's count for <paramref name="period"/>, if its row still says it (0 otherwise).</summary>
    public long AcceptedIn(long period) => Period == period ? Accepted : Period == period + 1 ? PreviousAccepted : 0;

    /// <summary>This instance's work for <paramref name="period"/>, if its row still says it (0 otherwise).</summary>
    public double WorkIn(long period) => Period == period ? Work : Period == period + 1 ? PreviousWork : 0;
}

/// <summary>What every instance last published, and the shared floor.</summary>
public sealed record FloodLedgerSnapshot(FloorRecord Floor, IReadOnlyList<InstanceCount> Instances);

/// <summary>
/// The state flood control shares across instances (Azure Storage in production), so that its limits hold for the
/// whole service and not per instance (issue 13, finding 5). Nothing here is touched by a refused request: counts are
/// published on a timer, and a stamp is spent only when the submission is otherwise accepted.
/// </summary>
public interface IFloodLedger
{
    /// <summary>Publishes this instance's counts (an upsert of its own record) and reads every instance's and the floor.</summary>
    /// <exception cref="Intake.StorageUnavailableException">The store could not be reached.</exception>
    Task<FloodLedgerSnapshot> SyncAsync(InstanceCount mine, CancellationToken cancellationToken);

    /// <summary>Writes the floor computed for <paramref name="period"/> unless another instance changed it since <paramref name="expected"/> was read.</summary>
    /// <exception cref="Intake.StorageUnavailableException">The store could not be reached.</exception>
    Task<bool> TryAdvanceFloorAsync(FloorRecord expected, FloorStep computed, long period, CancellationToken cancellationToken);

    /// <summary>Marks a nonce spent for every instance; false when it already was (a replay on another instance).</summary>
    /// <exception cref="Intake.StorageUnavailableException">The store could not be reached.</exception>
    Task<bool> TrySpendAsync(UInt128 nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Forgets spent nonces whose challenge or ticket has expired, and instances silent for an hour; returns how many nonces.</summary>
    Task<int> SweepAsync(DateTimeOffset now, long period, CancellationToken cancellationToken);
}

/// <summary>
/// Token buckets shared by every instance (one record per bucket, updated under the store's optimistic concurrency):
/// the no-script lane's and the processor's Key Vault budget.
/// </summary>
public interface ISharedBucketStore
{
    /// <summary>
    /// Takes up to <paramref name="wanted"/> tokens from bucket <paramref name="name"/> (refilled at
    /// <paramref name="ratePerSecond"/>, at most <paramref name="burst"/>), leaving at least <paramref name="keepAtLeast"/>
    /// in it; returns how many were taken (0 when none could be).
    /// </summary>
    /// <exception cref="Intake.StorageUnavailableException">The store could not be reached.</exception>
    Task<int> TakeAsync(string name, int wanted, double ratePerSecond, int burst, int keepAtLeast, CancellationToken cancellationToken);
}
