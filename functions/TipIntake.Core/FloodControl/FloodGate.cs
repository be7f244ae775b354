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
/// and the nonces of spent challenges until they expire. Thread-safe; register one instance.
/// </summary>
public sealed class FloodGate
{
    /// <summary>A stamp is refused as stale when the difficulty has since risen by more than this many bits.</summary>
    public const int StaleTolerance = 2;

    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LimitReportInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly ChallengeCodec _codec;
    private readonly DifficultyPolicy _difficulty;
    private readonly TokenBucket _global;
    private readonly TokenBucket _form;
    private readonly Dictionary<UInt128, DateTimeOffset> _spent = [];
    private readonly FloodControlOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FloodGate> _logger;
    private DateTimeOffset _lastPrune;
    private int _lastDifficulty;
    private long _limitedSinceReport;
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
        _lastPrune = _lastLimitReport = time.GetUtcNow();
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
            if (_spent.ContainsKey(verified.Nonce))
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
            Prune(now);
            if (_spent.Count >= _options.MaxSpentChallenges)
            {
                return Limited(PruneInterval);
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

    private void Prune(DateTimeOffset now)
    {
        if (now - _lastPrune < PruneInterval && _spent.Count < _options.MaxSpentChallenges)
        {
            return;
        }

        foreach (var (nonce, expiresAt) in _spent)
        {
            if (expiresAt <= now)
            {
                _spent.Remove(nonce);
            }
        }

        _lastPrune = now;
    }
}
