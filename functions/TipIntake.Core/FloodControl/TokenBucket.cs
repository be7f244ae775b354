namespace TipIntake.Core.FloodControl;

/// <summary>
/// A token bucket: holds at most <c>capacity</c> tokens, refilled at <c>ratePerSecond</c>; each accepted submission
/// takes one. Not thread-safe on its own: <see cref="FloodGate"/> calls it under its lock.
/// </summary>
public sealed class TokenBucket
{
    private readonly double _capacity;
    private readonly double _ratePerSecond;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _updated;

    public TokenBucket(double ratePerSecond, int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentNullException.ThrowIfNull(time);
        _ratePerSecond = ratePerSecond;
        _capacity = capacity;
        _time = time;
        _tokens = capacity;
        _updated = time.GetTimestamp();
    }

    /// <summary>The tokens available now (for tests and diagnostics).</summary>
    public double Available
    {
        get
        {
            Refill();
            return _tokens;
        }
    }

    /// <summary>Takes a token, or says how long until one is there (at least one second, whole seconds).</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        Refill();
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((1 - _tokens) / _ratePerSecond)));
        return false;
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_updated, now);
        _updated = now;
        if (elapsed > TimeSpan.Zero)
        {
            _tokens = Math.Min(_capacity, _tokens + (elapsed.TotalSeconds * _ratePerSecond));
        }
    }
}
