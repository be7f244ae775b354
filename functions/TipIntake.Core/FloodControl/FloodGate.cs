using TipIntake.Core.Intake;
using TipIntake.Core.Logging;

namespace TipIntake.Core.FloodControl;

/// <summary>
/// What flood control decided for one submission. Admitted: the <see cref="Effort"/> its stamp achieved (null on the
/// no-script path) and the <see cref="Lane"/> it is processed in. Refused: why, and for <see cref="FloodRefusal.EffortTooLow"/>
/// the effort accepted now (<see cref="RequiredEffort"/>) and the one processed ahead of the backlog.
/// </summary>
public readonly record struct FloodDecision(
    FloodRefusal? Refusal,
    TimeSpan RetryAfter = default,
    int? Effort = null,
    Lane Lane = Lane.Main,
    int RequiredEffort = 0,
    int SuggestedEffort = 0)
{
    public static FloodDecision Admitted(int? effort, Lane lane) => new(null, Effort: effort, Lane: lane);

    public bool IsAdmitted => Refusal is null;
}

/// <summary>
/// Flood control without addresses (docs/flood-control.md), after Tor's onion-service proof-of-work: every
/// submission on the script path carries work, and work — not speed — decides. A stamp at or above the floor is
/// accepted; one below is told the effort accepted now, so its client keeps searching on the same challenge. Nothing
/// is a shared allowance a fast client can use up for everyone. The floor is shared by every instance and steered by
/// <see cref="FloodCoordinator"/> so that a flood's accepted rate stays near a target whatever its power; what is
/// accepted at the suggested effort is processed ahead of what was paid less for. The no-script path, which cannot
/// work, has a bounded lane of its own, shared across instances, and a single-use ticket per page. Nothing about a
/// request is read but the stamp or ticket; a refused request costs a hash and, at most, a local lock. Thread-safe;
/// register one instance (and dispose it: it owns the timer that sweeps expired nonces).
/// </summary>
public sealed partial class FloodGate : IDisposable
{
    /// <summary>Expired nonces dropped, with the set then empty, after which one collection is asked for.</summary>
    public const int CollectAfterDropped = 100_000;

    /// <summary>After the shared no-script bucket was found empty, no instance asks it again for this long.</summary>
    public static readonly TimeSpan FormBucketRetry = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly ChallengeCodec _codec;
    private readonly SpentChallenges _spent = new();
    private readonly ITimer _sweeper;
    private readonly FloodControlOptions _options;
    private readonly FloodState _state;
    private readonly IFloodLedger _ledger;
    private readonly SharedTokenBucket _formLane;
    private readonly TimeProvider _time;
    private readonly ILogger<FloodGate> _logger;
    private readonly SubmissionRefusals? _refusals;
    private readonly Dictionary<long, (long Accepted, double Work)> _acceptedByPeriod = [];
    private long _droppedSinceCollection;

    public FloodGate(
        IOptions<FloodControlOptions> options,
        FloodState state,
        IFloodLedger ledger,
        ISharedBucketStore buckets,
        TimeProvider time,
        ILogger<FloodGate> logger,
        SubmissionRefusals? refusals = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options.Value;
        _state = state;
        _ledger = ledger;
        _time = time;
        _logger = logger;
        _refusals = refusals;
        var key = _options.ChallengeKeyBytes();
        if (key is null)
        {
            key = RandomNumberGenerator.GetBytes(32);
            Log.ChallengeKeyPerProcess(logger);
        }

        _codec = new ChallengeCodec(key);
        CryptographicOperations.ZeroMemory(key);
        _formLane = new SharedTokenBucket(
            buckets, "form-lane", _options.MaxFormSubmissionsPerMinute / 60.0, _options.FormSubmissionBurst, block: 1, FormBucketRetry, TimeSpan.FromMinutes(1), time);

        // Swept on a timer, not only when submissions arrive: after a surge the nonces must go once they expire even if
        // nothing is submitted any more, or the memory a flood took would stay taken.
        _sweeper = time.CreateTimer(static state => ((FloodGate)state!).Sweep(), this, SpentChallenges.BucketWidth, SpentChallenges.BucketWidth);
    }

    /// <summary>A fresh challenge at the current floor, with the suggested effort. Issuing keeps no state.</summary>
    public IssuedChallenge IssueChallenge() =>
        _codec.Issue(_state.Floor, _state.SuggestedEffort, _time.GetUtcNow() + _options.ChallengeLifetime);

    /// <summary>A ticket for a no-script form page (its hidden <c>ticket</c> field).</summary>
    public string IssueFormTicket() => _codec.IssueTicket(_time.GetUtcNow() + _options.FormTicketLifetime);

    /// <summary>
    /// Admits a submission to <c>POST /api/tips</c> carrying <paramref name="stamp"/> (the <c>TipIntake-Stamp</c>
    /// header, or null), or says why not. Only a stamp that will be accepted is spent, with one storage operation that
    /// makes it single-use on every instance; every refusal before that costs a hash and a local lock.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The shared state could not be reached to spend the stamp.</exception>
    public ValueTask<FloodDecision> AdmitStampedAsync(string? stamp, CancellationToken cancellationToken) =>
        AdmitStampedAsync(stamp, countsTowardFloor: true, cancellationToken);

    /// <summary>
    /// Admits a follow-up lookup (docs/follow-up.md, "Rate limits") carrying <paramref name="stamp"/>: checked and spent
    /// exactly like a submission's, at the same floor, but not counted toward the floor. Lookups have a lane of their
    /// own (the lookup bucket, shared by every instance), so that a burst of lookups can never raise what a reporter
    /// pays to send a report; a flood of reports still raises what a lookup costs.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The shared state could not be reached to spend the stamp.</exception>
    public ValueTask<FloodDecision> AdmitLookupAsync(string? stamp, CancellationToken cancellationToken) =>
        AdmitStampedAsync(stamp, countsTowardFloor: false, cancellationToken);

    private async ValueTask<FloodDecision> AdmitStampedAsync(string? stamp, bool countsTowardFloor, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_codec.Verify(stamp, now, out var verified) is { } refusal)
        {
            return Refuse(refusal);
        }

        var floor = _state.Floor;
        var suggested = _state.SuggestedEffort;
        lock (_lock)
        {
            if (_spent.Contains(verified.Nonce, verified.ExpiresAt))
            {
                return Refuse(FloodRefusal.StampReused);
            }

            if (verified.Work < floor)
            {
                return Refuse(FloodRefusal.EffortTooLow) with { RequiredEffort = floor, SuggestedEffort = suggested };
            }

            if (_spent.Count >= _options.MaxSpentChallenges && SweepUnderLock(now) == 0)
            {
                return Refuse(FloodRefusal.RateLimited) with { RetryAfter = SpentChallenges.BucketWidth };
            }
        }

        if (!await _ledger.TrySpendAsync(verified.Nonce, verified.ExpiresAt, cancellationToken).ConfigureAwait(false))
        {
            Remember(verified.Nonce, verified.ExpiresAt, acceptedAtFloor: null);
            return Refuse(FloodRefusal.StampReused);
        }

        Remember(verified.Nonce, verified.ExpiresAt, acceptedAtFloor: countsTowardFloor ? floor : null);
        return FloodDecision.Admitted(verified.Work, verified.Work >= suggested ? Lane.Main : Lane.Bulk);
    }

    /// <summary>
    /// Admits a no-script submission whose page carried <paramref name="ticket"/>: the ticket must be this service's,
    /// unexpired and unused, and the no-script lane (shared by every instance) must have room. The ticket is spent
    /// last, so a report refused for room can be sent again from the same page.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The shared state could not be reached.</exception>
    public async ValueTask<FloodDecision> AdmitFormAsync(string? ticket, CancellationToken cancellationToken)
    {
        if (_codec.VerifyTicket(ticket, _time.GetUtcNow(), out var nonce, out var expiresAt) is { } refusal)
        {
            return Refuse(refusal);
        }

        lock (_lock)
        {
            if (_spent.Contains(nonce, expiresAt))
            {
                return Refuse(FloodRefusal.TicketUsed);
            }
        }

        if (!await _formLane.TryTakeAsync(keepAtLeast: 0, cancellationToken).ConfigureAwait(false))
        {
            return Refuse(FloodRefusal.RateLimited) with { RetryAfter = TimeSpan.FromSeconds(Math.Ceiling(1 / _formLane.RatePerSecond)) };
        }

        if (!await _ledger.TrySpendAsync(nonce, expiresAt, cancellationToken).ConfigureAwait(false))
        {
            Remember(nonce, expiresAt, acceptedAtFloor: null);
            return Refuse(FloodRefusal.TicketUsed);
        }

        Remember(nonce, expiresAt, acceptedAtFloor: null);
        return FloodDecision.Admitted(effort: null, Lane.Main);
    }

    /// <summary>The period of <paramref name="time"/> (<see cref="FloodControlOptions.FloorPeriod"/> since the epoch).</summary>
    public long PeriodOf(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / (long)_options.FloorPeriod.TotalMilliseconds;

    /// <summary>Script-path submissions this instance accepted in <paramref name="period"/>.</summary>
    public long AcceptedIn(long period)
    {
        lock (_lock)
        {
            return _acceptedByPeriod.GetValueOrDefault(period).Accepted;
        }
    }

    /// <summary>
    /// The work those submissions were asked for: 2^floor each, the floor when each was accepted — what a flooder
    /// solving to the floor spent on them, in hashes. The floor changes within a period; this lets the controller
    /// tell what the period's flood would have got through at the floor now (<see cref="FloodCoordinator"/>).
    /// </summary>
    public double WorkIn(long period)
    {
        lock (_lock)
        {
            return _acceptedByPeriod.GetValueOrDefault(period).Work;
        }
    }

    /// <summary>Spent nonces held now (for tests and diagnostics).</summary>
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
            // returns free memory to the OS costs nobody a wait.
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        _formLane.Dispose();
    }

    private void Remember(UInt128 nonce, DateTimeOffset expiresAt, int? acceptedAtFloor)
    {
        lock (_lock)
        {
            _spent.Add(nonce, expiresAt);
            if (acceptedAtFloor is { } floor)
            {
                var period = PeriodOf(_time.GetUtcNow());
                var (accepted, work) = _acceptedByPeriod.GetValueOrDefault(period);
                _acceptedByPeriod[period] = (accepted + 1, work + Math.Pow(2, floor));
                foreach (var old in _acceptedByPeriod.Keys.Where(p => p < period - 2).ToList())
                {
                    _acceptedByPeriod.Remove(old);
                }
            }
        }
    }

    private int SweepUnderLock(DateTimeOffset now)
    {
        var dropped = _spent.Sweep(now);
        _droppedSinceCollection += dropped;
        return dropped;
    }

    /// <summary>Counted, never logged one by one (issue 13, finding 6): a refusal's code is a Debug line and a tally entry.</summary>
    private FloodDecision Refuse(FloodRefusal refusal)
    {
        var code = Codes.Of(refusal);
        Log.FloodRefused(_logger, code);
        _refusals?.Add(code);
        return new FloodDecision(refusal);
    }

    private static partial class Log
    {
        [LoggerMessage(7003, LogLevel.Debug, "Submission held back by flood control: {RefusalCode}")]
        public static partial void FloodRefused(ILogger logger, string refusalCode);

        [LoggerMessage(7004, LogLevel.Warning, "FloodControl:ChallengeKey is not set: challenges are signed with a key made for this process and are valid on this instance only")]
        public static partial void ChallengeKeyPerProcess(ILogger logger);
    }
}
