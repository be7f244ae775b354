namespace TipIntake.Core.FloodControl;

/// <summary>
/// The floor — the least effort (leading zero bits) a stamp must have to be accepted — as a function of the accepted
/// rate of the period before, all instances together, steering towards a target rate R
/// (<see cref="FloodControlOptions.TargetAcceptedPerSecond"/>). A flooder hashing H times a second gets H / 2^floor
/// stamps a second through, so each period the floor rises by log2(rate / R) bits, rounded up (at most
/// <see cref="MaxRise"/>), until that is at most R; it falls by one bit only once the rate is below R/4, and by two
/// below R/16, so a steady flooder's rate settles in (R/2, R] without the floor swinging. A pure function of the
/// rate (say floor = log2(rate/Q), the old policy) cannot do this: the flooder's rate then settles at √(H·Q), growing
/// with its power (docs/flood-control.md, "The floor").
/// </summary>
public static class FloorController
{
    public const int MaxRise = 8;

    public static int Next(int floor, double acceptedPerSecond, double target, int maxFloor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(target);
        int next;
        if (acceptedPerSecond > target)
        {
            next = floor + Math.Clamp((int)Math.Ceiling(Math.Log2(acceptedPerSecond / target)), 1, MaxRise);
        }
        else if (acceptedPerSecond < target / 16)
        {
            next = floor - 2;
        }
        else if (acceptedPerSecond < target / 4)
        {
            next = floor - 1;
        }
        else
        {
            next = floor;
        }

        return Math.Clamp(next, 0, maxFloor);
    }
}
