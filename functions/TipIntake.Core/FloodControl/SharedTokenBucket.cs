namespace TipIntake.Core.FloodControl;

/// <summary>
/// One instance's side of a bucket shared by every instance (<see cref="ISharedBucketStore"/>): tokens are claimed in
/// blocks and spent locally, so most takes cost no storage operation; unspent tokens go stale after
/// <paramref name="tokenLifetime"/> (an instance cannot hoard a burst for later), and after a claim that found the
/// bucket empty no other claim is made for <paramref name="retryEmptyAfter"/>: while it is empty, a refused request
/// costs nothing but a lock. Thread-safe.
/// </summary>
public sealed class SharedTokenBucket(
    ISharedBucketStore store,
    string name,
    double ratePerSecond,
    int burst,
    int block,
    TimeSpan retryEmptyAfter,
    TimeSpan tokenLifetime,
    TimeProvider time) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _claiming = new(1, 1);
    private int _tokens;
    private DateTimeOffset _claimedAt;
    private DateTimeOffset _emptyUntil;

    public double RatePerSecond => ratePerSecond;

    /// <summary>Takes one token, leaving at least <paramref name="keepAtLeast"/> in the shared bucket when one must be claimed.</summary>
    /// <exception cref="Intake.StorageUnavailableException">The store could not be reached.</exception>
    public async ValueTask<bool> TryTakeAsync(int keepAtLeast, CancellationToken cancellationToken)
    {
        if (TakeLocal() is { } local)
        {
            return local;
        }

        await _claiming.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (TakeLocal() is { } meanwhile)
            {
                return meanwhile;
            }

            var granted = await store.TakeAsync(name, block, ratePerSecond, burst, keepAtLeast, cancellationToken).ConfigureAwait(false);
            lock (_lock)
            {
                var now = time.GetUtcNow();
                if (granted == 0)
                {
                    _emptyUntil = now + retryEmptyAfter;
                    return false;
                }

                _tokens = granted - 1;
                _claimedAt = now;
                return true;
            }
        }
        finally
        {
            _claiming.Release();
        }
    }

    public void Dispose() => _claiming.Dispose();

    /// <summary>True with a local token, false while the bucket is known empty, null when a claim is needed.</summary>
    private bool? TakeLocal()
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_tokens > 0 && now - _claimedAt < tokenLifetime)
            {
                _tokens--;
                return true;
            }

            _tokens = 0;
            return now < _emptyUntil ? false : null;
        }
    }
}
