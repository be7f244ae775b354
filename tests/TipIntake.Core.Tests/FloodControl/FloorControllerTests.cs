using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Tests.FloodControl;

/// <summary>The floor's steering, and the equilibrium docs/flood-control.md works out: checked by simulating a flooder.</summary>
public sealed class FloorControllerTests
{
    [Theory]
    [InlineData(0, 0.0, 0)]
    [InlineData(0, 5.0, 0)]     // at the target: hold
    [InlineData(0, 5.1, 1)]     // just above: one bit
    [InlineData(0, 10.0, 1)]    // twice: one bit halves it
    [InlineData(0, 10.1, 2)]
    [InlineData(0, 1280.0, 8)]  // 256×: eight bits at once
    [InlineData(0, 1e9, 8)]     // never more than MaxRise a period
    [InlineData(10, 2.0, 10)]   // between R/4 and R: hold
    [InlineData(10, 1.2, 9)]    // below R/4: one bit down
    [InlineData(10, 0.2, 8)]    // below R/16: two
    [InlineData(1, 0.0, 0)]     // never below zero
    [InlineData(27, 1e6, 28)]   // never above the cap
    public void Next_floor_follows_the_accepted_rate(int floor, double rate, int expected) =>
        Assert.Equal(expected, FloorController.Next(floor, rate, target: 5, maxFloor: 28));

    [Theory]
    [InlineData(1e4)]
    [InlineData(1e6)]
    [InlineData(3.2e7)]
    public void A_flooder_of_any_power_settles_between_half_the_target_and_the_target_with_the_floor_steady(double hashesPerSecond)
    {
        const double Target = 5;
        var floor = 0;
        var rates = new List<double>();
        for (var period = 0; period < 40; period++)
        {
            // Every stamp costs 2^floor hashes on average; the HTTP path caps a flood near 2,000 a second.
            var rate = Math.Min(2_000, hashesPerSecond / Math.Pow(2, floor));
            rates.Add(rate);
            floor = FloorController.Next(floor, rate, Target, maxFloor: 32);
        }

        var settled = rates.Skip(20).ToList();
        Assert.All(settled, rate => Assert.InRange(rate, Target / 2, Target));
        Assert.Single(settled.Distinct());
        Assert.InRange(Math.Pow(2, floor), hashesPerSecond / Target, 2 * hashesPerSecond / Target);
    }

    [Fact]
    public void After_a_flood_the_floor_falls_back_to_zero_within_a_couple_of_minutes_of_quiet()
    {
        var floor = 24;
        var periods = 0;
        while (floor > 0)
        {
            floor = FloorController.Next(floor, 0, target: 5, maxFloor: 28);
            periods++;
        }

        Assert.Equal(12, periods); // 5-s periods: one minute
    }
}
