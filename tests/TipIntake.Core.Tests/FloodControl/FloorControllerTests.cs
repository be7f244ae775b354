using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Tests.FloodControl;

/// <summary>The floor's steering, and the equilibrium docs/flood-control.md works out: checked by simulating flooders.</summary>
public sealed class FloorControllerTests
{
    private const double Target = 5;
    private const int FallAfter = 12; // a minute of 5-s periods

    private static FloorStep Next(FloorStep step, double rate, int maxFloor = 28) =>
        FloorController.Next(step, rate, Target, maxFloor, FallAfter);

    [Theory]
    [InlineData(0, 0.0, 0)]
    [InlineData(0, 5.0, 0)]     // at the target: hold
    [InlineData(0, 5.1, 1)]     // just above: one bit
    [InlineData(0, 10.0, 1)]    // twice: one bit halves it
    [InlineData(0, 10.1, 2)]
    [InlineData(0, 1280.0, 8)]  // 256×: eight bits at once
    [InlineData(0, 1e9, 8)]     // never more than MaxRise a period
    [InlineData(10, 2.5, 10)]   // between R/2 and R: hold
    [InlineData(10, 2.4, 10)]   // below R/2: not at once
    [InlineData(27, 1e6, 28)]   // never above the cap
    public void Next_floor_follows_the_accepted_rate(int floor, double rate, int expected) =>
        Assert.Equal(expected, Next(new FloorStep(floor), rate).Floor);

    [Fact]
    public void Below_half_the_target_the_floor_falls_a_bit_after_a_minute_then_after_two_four_eight_minutes()
    {
        var step = new FloorStep(20);
        var fallsAt = new List<int>();
        for (var period = 1; period <= 12 * 31; period++)
        {
            var next = Next(step, 0.3);
            if (next.Floor < step.Floor)
            {
                fallsAt.Add(period);
            }

            step = next;
        }

        Assert.Equal([12, 36, 84, 180, 372], fallsAt);

        // A period at half the target or more starts the count again.
        step = Next(Next(step, 2.5), 0.3);
        Assert.Equal((15, 1, 0), (step.Floor, step.QuietPeriods, step.Falls));
    }

    [Theory]
    [InlineData(1e4)]
    [InlineData(1e6)]
    [InlineData(3.2e7)]
    public void A_flooder_of_any_power_settles_between_half_the_target_and_the_target_with_the_floor_steady(double hashesPerSecond)
    {
        var step = new FloorStep(0);
        var rates = new List<double>();
        for (var period = 0; period < 40; period++)
        {
            // Every stamp costs 2^floor hashes on average; the HTTP path caps a flood near 2,000 a second.
            var rate = Math.Min(2_000, hashesPerSecond / Math.Pow(2, step.Floor));
            rates.Add(rate);
            step = Next(step, rate, maxFloor: 32);
        }

        var settled = rates.Skip(20).ToList();
        Assert.All(settled, rate => Assert.InRange(rate, Target / 2, Target));
        Assert.Single(settled.Distinct());
        Assert.InRange(Math.Pow(2, step.Floor), hashesPerSecond / Target, 2 * hashesPerSecond / Target);
    }

    [Theory]
    [InlineData(2_000)]
    [InlineData(100_000)]
    public void A_flooder_who_pauses_to_let_the_floor_fall_and_then_floods_gets_no_more_than_the_target_on_average(double serverCapacity)
    {
        // Power 1e6 hashes/s (floor 18 at the target), and the HTTP path's capacity caps a cheap flood.
        const double Power = 1e6;
        foreach (var pause in new[] { 1, 12, 24, 60, 120, 360, 720, 1440 })
        {
            // A minute's flood first: the floor has climbed to where it holds this flooder.
            var step = new FloorStep(0);
            for (var period = 0; period < 12; period++)
            {
                step = Next(step, Math.Min(serverCapacity, Power / Math.Pow(2, step.Floor)), maxFloor: 32);
            }

            double accepted = 0;
            var periods = 0;
            for (var cycle = 0; cycle < 20; cycle++)
            {
                // Pause for `pause` periods, then flood until the floor holds it again.
                for (var quiet = 0; quiet < pause; quiet++, periods++)
                {
                    step = Next(step, 0, maxFloor: 32);
                }

                for (var flood = 0; flood < 8; flood++, periods++)
                {
                    var rate = Math.Min(serverCapacity, Power / Math.Pow(2, step.Floor));
                    accepted += rate * 5;
                    step = Next(step, rate, maxFloor: 32);
                }
            }

            // Flooding without a pause gets between R/2 and R; pausing buys back less than it costs.
            var average = accepted / (periods * 5.0);
            Assert.True(average <= Target, $"pause {pause}: {average:F1} a second");
        }
    }
}
