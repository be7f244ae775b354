using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Tests.FloodControl;

/// <summary>Solves challenges the way docs/flood-control.md tells other clients to.</summary>
internal static class Stamps
{
    public static string Solve(string challenge, int difficulty)
    {
        for (long counter = 0; ; counter++)
        {
            var stamp = $"{challenge}:{counter}";
            if (ChallengeCodec.Work(stamp) >= difficulty)
            {
                return stamp;
            }
        }
    }

    /// <summary>A stamp whose work is below <paramref name="difficulty"/>.</summary>
    public static string Unsolved(string challenge, int difficulty)
    {
        for (long counter = 0; ; counter++)
        {
            var stamp = $"{challenge}:{counter}";
            if (ChallengeCodec.Work(stamp) < difficulty)
            {
                return stamp;
            }
        }
    }
}
