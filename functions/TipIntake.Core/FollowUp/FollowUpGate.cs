using TipIntake.Core.FloodControl;
using TipIntake.Core.Logging;

namespace TipIntake.Core.FollowUp;

/// <summary>
/// What the script path's <see cref="LookupGate"/> and the no-script <see cref="FormFollowUpGate"/> share: a bucket
/// shared by every instance, and the count of what they did logged once a minute by outcome code, right and wrong codes
/// together, since nothing in a log may tell a right code from a wrong one (docs/follow-up.md). Thread-safe.
/// </summary>
public abstract class FollowUpGate : IDisposable
{
    private readonly SharedTokenBucket _bucket;
    private readonly RefusalTally _tally;

    /// <param name="logCounts">Logs one minute's total and counts by code.</param>
    private protected FollowUpGate(SharedTokenBucket bucket, TimeProvider time, Action<long, string> logCounts)
    {
        _bucket = bucket;
        _tally = new RefusalTally(time, SubmissionRefusals.Interval, logCounts);
    }

    /// <summary>A token, or false when the bucket is empty for now.</summary>
    /// <exception cref="Intake.StorageUnavailableException">The shared bucket could not be reached.</exception>
    public ValueTask<bool> TryTakeAsync(CancellationToken cancellationToken) => _bucket.TryTakeAsync(0, cancellationToken);

    /// <summary>Counts one request under an outcome code (<see cref="LookupGate.Answered"/> or the service's problem codes).</summary>
    public void Count(string code) => _tally.Add(code);

    public void Dispose()
    {
        _tally.Dispose();
        _bucket.Dispose();
        GC.SuppressFinalize(this);
    }
}
