using System.Globalization;

namespace TipIntake.Core.Tests.Fuzz;

/// <summary>
/// How long the property-based fuzz targets run: a few seconds by default (CI), as long as asked with
/// <c>TIPINTAKE_FUZZ_ITERATIONS</c> (iterations per property, e.g. 1000000). CsCheck prints a seed for any failure;
/// <c>CsCheck_Seed</c> replays it. See docs/testing.md.
/// </summary>
internal static class FuzzSettings
{
    public const string IterationsVariable = "TIPINTAKE_FUZZ_ITERATIONS";

    public static long Iterations(long byDefault) =>
        long.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var asked) && asked > 0
            ? asked
            : byDefault;
}
