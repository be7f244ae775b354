using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TipIntake.Core.FloodControl;

/// <summary>What flood control decided for one submission.</summary>
public readonly record struct FloodDecision(FloodRefusal? Refusal, TimeSpan RetryAfter)
{
    public static FloodDecision Admitted => default;

    public bool IsAdmitted => Refusal is null;
}

/// <summary>
/// Flood control without addresses (docs/flood-control.md): issues proof-of-work challenges at the current adaptive
/// difficulty, admits a stamped submission once (single use per instance), and holds both paths to global token
/// buckets that protect the queue. It reads nothing about a request but the stamp; it keeps only counts, token levels
/// and the nonces of spent challenges until they expire. Thread-safe; register one instance (and dispose it: it owns the
/// timer that sweeps expired nonces).
/// </summary>
public sealed class FloodGate : IDisposable
{
    /// <summary>A stamp is refused as stale when the difficulty has since risen by more than this many bits.</summary>
    public const int StaleTolerance = 2;

    /// <summary>Expired nonces dropped, with the set then empty, after which one collection is asked for.</summary>
    public const int CollectAfterDropped = 100_000;

    private static readonly TimeSpan LimitReportInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly ChallengeCodec _codec;
    private readonly DifficultyPolicy _difficulty;
    private readonly TokenBucket _global;
    private readonly TokenBucket _form;
    private readonly SpentChallenges _spent = new();
    private readonly ITimer _sweeper;
    private readonly FloodControlOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FloodGate> _logger;
    private int _lastDifficulty;
    private long _limitedSinceReport;
    private long _droppedSinceCollection;
    private DateTimeOffset _lastLimitReport;

    public FloodGate(IOptions<FloodControlOptions> options, TimeProvider time, ILogger<FloodGate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options.Value;
        _time = time;
        _logger = logger;
        var key = _options.ChallengeKeyBytes();
        if (key is null)
        {
            key = RandomNumberGenerator.GetBytes(32);
            Log.ChallengeKeyPerProcess(logger);
        }

        _codec = new ChallengeCodec(key);
        CryptographicOperations.ZeroMemory(key);
        _difficulty = new DifficultyPolicy(_options.QuietRatePerMinute, _options.MaxDifficulty, time);
        _global = new TokenBucket(_options.MaxSubmissionsPerSecond, _options.SubmissionBurst, time);
        _form = new TokenBucket(_options.MaxFormSubmissionsPerMinute / 60.0, _options.FormSubmissionBurst, time);
        _lastLimitReport = time.GetUtcNow();

        // Swept on a timer, not only when submissions arrive: after a surge the nonces must go once they expire even if
        // nothing is submitted any more, or the memory a flood took would stay taken.
        _sweeper = time.CreateTimer(static state => ((FloodGate)state!).Sweep(), this, SpentChallenges.BucketWidth, SpentChallenges.BucketWidth);
    }

    /// <summary>The difficulty a challenge issued now carries.</summary>
    public int CurrentDifficulty
    {
        get
        {
            lock (_lock)
            {
                return _difficulty.Current;
            }
        }
    }

    /// <summary>A fresh challenge at the current difficulty. Issuing keeps no state.</summary>
    public IssuedChallenge IssueChallenge() =>
        _codec.Issue(CurrentDifficulty, _time.GetUtcNow() + _options.ChallengeLifetime);

    /// <summary>
    /// Admits a submission to <c>POST /api/tips</c> carrying <paramref name="stamp"/> (the <c>TipIntake-Stamp</c>
    /// header, or null), or says why not. A stamp that verified and was not spent counts toward the difficulty even if
    /// the global limit then refuses it; it is spent only when admitted.
    /// </summary>
    public FloodDecision AdmitStamped(string? stamp)
    {
        var now = _time.GetUtcNow();
        if (_codec.Verify(stamp, now, out var verified) is { } refusal)
        {
            return Refuse(refusal, TimeSpan.Zero);
        }

        lock (_lock)
        {
            if (_spent.Contains(verified.Nonce, verified.ExpiresAt))
            {
                return Refuse(FloodRefusal.StampReused, TimeSpan.Zero);
            }

            var current = _difficulty.Current;
            if (verified.Work < current - StaleTolerance)
            {
                return Refuse(FloodRefusal.StampStale, TimeSpan.Zero);
            }

            _difficulty.Record();
            ReportDifficulty();
            if (_spent.Count >= _options.MaxSpentChallenges && SweepUnderLock(now) == 0)
            {
                return Limited(SpentChallenges.BucketWidth);
            }

            if (!_global.TryTake(out var retryAfter))
            {
                return Limited(retryAfter);
            }

            _spent.Add(verified.Nonce, verified.ExpiresAt);
            return FloodDecision.Admitted;
        }
    }

    /// <summary>Admits a no-script submission (<c>POST /submit</c>): its own, stricter bucket, then the global one.</summary>
    public FloodDecision AdmitForm()
    {
        lock (_lock)
        {
            if (!_form.TryTake(out var retryAfter) || !_global.TryTake(out retryAfter))
            {
                return Limited(retryAfter);
            }

            return FloodDecision.Admitted;
        }
    }

    /// <summary>Spent challenge nonces held now (for tests and diagnostics).</summary>
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

    /// <summary>Collections asked for after surges (for tests and diagnostics).</summary>
    public int CollectionsRequested { get; private set; }

    /// <summary>Drops the spent nonces whose challenges have expired (the timer does this every few seconds).</summary>
    public void Sweep()
    {
        bool collect;
        lock (_lock)
        {
            SweepUnderLock(_time.GetUtcNow());
            collect = _spent.Count == 0 && _droppedSinceCollection >= CollectAfterDropped;
            if (collect)
            {
                _droppedSinceCollection = 0;
                CollectionsRequested++;
            }
        }

        if (collect)
        {
            // A surge has passed and left megabytes of dropped buckets (about 30 bytes a nonce) as garbage, and a quiet
            // process allocates next to nothing, so no collection would come to give them back for hours (measured: a
            // background collection freed them but returned nothing to the OS). The set is empty only when nothing has
            // been admitted for a whole challenge lifetime, so the instance is idle and a blocking collection that also
            // returns free memory to the OS costs nobody a wait. At most once per 100,000 nonces: with the default
            // limits, never before hours of full-rate traffic.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private int SweepUnderLock(DateTimeOffset now)
    {
        var dropped = _spent.Sweep(now);
        _droppedSinceCollection += dropped;
        return dropped;
    }

    private FloodDecision Refuse(FloodRefusal refusal, TimeSpan retryAfter)
    {
        Log.FloodRefused(_logger, FloodRefusals.CodeOf(refusal));
        return new FloodDecision(refusal, retryAfter);
    }

    /// <summary>Called under the lock. Reports refusals by count, at most once a minute, so a flood cannot flood the logs.</summary>
    private FloodDecision Limited(TimeSpan retryAfter)
    {
        _limitedSinceReport++;
        var now = _time.GetUtcNow();
        if (now - _lastLimitReport >= LimitReportInterval || _limitedSinceReport == 1)
        {
            Log.RateLimited(_logger, _limitedSinceReport);
            _limitedSinceReport = 0;
            _lastLimitReport = now;
        }

        return Refuse(FloodRefusal.RateLimited, retryAfter);
    }

    private void ReportDifficulty()
    {
        var count = _difficulty.CountLastMinute();
        var difficulty = DifficultyPolicy.DifficultyFor(count, _options.QuietRatePerMinute, _options.MaxDifficulty);
        if (difficulty != _lastDifficulty)
        {
            Log.DifficultyChanged(_logger, difficulty, count);
            _lastDifficulty = difficulty;
        }
    }
}
