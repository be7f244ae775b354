using TipIntake.Core.Intake;

namespace TipIntake.Core.FloodControl;

/// <summary>
/// Keeps every instance's <see cref="FloodState"/> current, once a second (<see cref="TickAsync"/>, driven by a hosted
/// service): publishes this instance's accepted counts to the shared ledger and reads every instance's; once a period
/// has ended (and every instance has had a tick to publish it), one instance turns the period's total rate into the
/// next floor (<see cref="FloorController"/>) and writes it, guarded, so that all instances share one floor; and it
/// counts the main lane's backlog, from which the suggested effort follows. Storage operations per tick: an upsert, a
/// query, a queue count, and once per period one guarded write — none per request.
/// </summary>
public sealed partial class FloodCoordinator(
    FloodGate gate,
    FloodState state,
    IFloodLedger ledger,
    ITipInbox lanes,
    IOptions<FloodControlOptions> options,
    TimeProvider time,
    ILogger<FloodCoordinator> logger)
{
    /// <summary>A period's total is taken this long after it ended: every instance has published it by then (ticks are 1 s apart).</summary>
    public static readonly TimeSpan PublishGrace = TimeSpan.FromSeconds(1.5);

    /// <summary>Expired nonces and silent instances are swept this often.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    /// <summary>A gap of this many periods nobody computed (a minute at 5 s) means the service was idle: they count as quiet.</summary>
    public const int QuietAfterMissedPeriods = 12;

    /// <summary>At most this many missed periods are caught up at once (all instances were down, say).</summary>
    private const int MaxCatchUp = 1_000;

    private readonly string _instanceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>This instance's id in the ledger: random per process, it identifies nothing but the process.</summary>
    public string InstanceId => _instanceId;

    /// <exception cref="StorageUnavailableException">The ledger or the queue could not be reached (the next tick tries again).</exception>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var period = gate.PeriodOf(now);
        var snapshot = await ledger.SyncAsync(
            new InstanceCount(_instanceId, period, gate.AcceptedIn(period), gate.AcceptedIn(period - 1), gate.WorkIn(period), gate.WorkIn(period - 1)),
            cancellationToken).ConfigureAwait(false);

        var floor = snapshot.Floor;
        var periodStart = DateTimeOffset.FromUnixTimeMilliseconds(period * (long)settings.FloorPeriod.TotalMilliseconds);
        if (floor.Period < period - 1 && now >= periodStart + PublishGrace)
        {
            var closed = period - 1;
            var work = snapshot.Instances.Sum(instance => instance.WorkIn(closed));
            var fallAfter = settings.FallAfterPeriods;
            var next = floor.Step;

            // Periods nobody computed: after a long gap the service was scaled to zero, and they count as quiet. A short
            // gap is instances too busy or storage too slow to tick (a flood can do that): their counts are unknown,
            // and counting them as quiet would lower the floor just when it is needed, so they are skipped.
            if (closed - floor.Period - 1 >= QuietAfterMissedPeriods)
            {
                for (var missed = Math.Max(floor.Period + 1, closed - MaxCatchUp); missed < closed; missed++)
                {
                    next = FloorController.Next(next, 0, settings.TargetAcceptedPerSecond, settings.MaxFloor, fallAfter);
                }
            }

            // The rate the period's flood would have had at the floor now. The floor often changed within the period
            // (a new one takes effect a couple of seconds in), and counting what was accepted under the old one as if
            // at the new would make the floor overshoot on the way up, then stay high for minutes (it falls slowly).
            // A stamp accepted at floor f is 2^(f - floor) stamps at the floor: the flooder's hashes are what count.
            var rate = work / Math.Pow(2, floor.Floor) / settings.FloorPeriod.TotalSeconds;
            next = FloorController.Next(next, rate, settings.TargetAcceptedPerSecond, settings.MaxFloor, fallAfter);
            if (await ledger.TryAdvanceFloorAsync(floor, next, closed, cancellationToken).ConfigureAwait(false))
            {
                if (next.Floor != floor.Floor)
                {
                    Log.FloorChanged(logger, floor.Floor, next.Floor, rate);
                }

                floor = floor with { Step = next, Period = closed };
            }
        }

        state.SetFloor(floor.Floor);
        state.SetMainBacklog(await lanes.CountAsync(Lane.Main, cancellationToken).ConfigureAwait(false));

        if (now - _lastSweep >= SweepInterval)
        {
            _lastSweep = now;
            await ledger.SweepAsync(now, period, cancellationToken).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(7011, LogLevel.Information, "Flood control: the floor is now {Floor} bits (was {Previous}; the last period accepted the work of {Rate} stamps a second at the old floor)")]
        public static partial void FloorChanged(ILogger logger, int previous, int floor, double rate);
    }
}
