namespace TipIntake.Core.FloodControl;

/// <summary>
/// The floor after a period, how many periods in a row have now been quiet (below half the target), and how many bits
/// it has fallen since the rate was last at or above half the target.
/// </summary>
public readonly record struct FloorStep(int Floor, int QuietPeriods = 0, int Falls = 0);

/// <summary>
/// The floor — the least effort (leading zero bits) a stamp must have to be accepted — steered each period by the
/// accepted rate of the period before, all instances together, towards a target rate R
/// (<see cref="FloodControlOptions.TargetAcceptedPerSecond"/>); docs/flood-control.md, "The floor".
/// <para>It rises fast: a flooder hashing H times a second gets H / 2^floor stamps a second through, so the floor rises
/// by log2(rate / R) bits, rounded up (at most <see cref="MaxRise"/> a period), to the one floor whose rate is in
/// (R/2, R]; a reporter pays at most twice the least that holds the flood to R. A pure function of the rate (say
/// floor = log2(rate/Q), the old policy) cannot do this: the flooder's rate then settles at √(H·Q).</para>
/// <para>It falls slowly, and ever more slowly: one bit once the rate has stayed below R/2 for <c>fallAfter</c>
/// periods (a minute), the next after twice that, then four times … (at most 2^<see cref="MaxFallDoublings"/> times).
/// A flooder who pauses to let the price fall k bits must wait about 2^k minutes to flood one period at 2^k times its
/// rate, so pausing gains it nothing; a linear fall would let it buy 2^k for k minutes.</para>
/// </summary>
public static class FloorController
{
    public const int MaxRise = 8;

    /// <summary>The wait before a further bit's fall doubles at most this many times (32 minutes with the defaults).</summary>
    public const int MaxFallDoublings = 5;

    public static FloorStep Next(FloorStep current, double acceptedPerSecond, double target, int maxFloor, int fallAfter)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(target);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fallAfter);
        var floor = Math.Clamp(current.Floor, 0, maxFloor);
        if (acceptedPerSecond > target)
        {
            var rise = Math.Clamp((int)Math.Ceiling(Math.Log2(acceptedPerSecond / target)), 1, MaxRise);
            return new FloorStep(Math.Min(floor + rise, maxFloor));
        }

        if (acceptedPerSecond >= target / 2 || floor == 0)
        {
            return new FloorStep(floor);
        }

        var quiet = current.QuietPeriods + 1;
        return quiet >= fallAfter << Math.Min(current.Falls, MaxFallDoublings)
            ? new FloorStep(floor - 1, 0, current.Falls + 1)
            : current with { Floor = floor, QuietPeriods = quiet };
    }
}
