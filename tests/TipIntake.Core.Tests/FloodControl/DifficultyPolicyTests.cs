using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Tests.FloodControl;

public sealed class DifficultyPolicyTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(29, 0)]
    [InlineData(30, 1)]
    [InlineData(59, 1)]
    [InlineData(60, 2)]
    [InlineData(119, 2)]
    [InlineData(120, 3)]
    [InlineData(240, 4)]
    [InlineData(30 * 1024, 11)]
    [InlineData(long.MaxValue, 20)]
    public void Difficulty_is_zero_while_quiet_then_one_bit_more_per_doubling_up_to_the_cap(long perMinute, int expected)
    {
        Assert.Equal(expected, DifficultyPolicy.DifficultyFor(perMinute, 30, 20));
    }

    [Fact]
    public void A_cap_of_zero_turns_the_work_off()
    {
        Assert.Equal(0, DifficultyPolicy.DifficultyFor(1_000_000, 30, 0));
    }

    [Fact]
    public void Count_slides_over_the_last_minute()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 16, 5, 0, TimeSpan.Zero));
        var policy = new DifficultyPolicy(quietPerMinute: 4, maxDifficulty: 10, time);
        Assert.Equal(0, policy.Current);

        for (var i = 0; i < 4; i++)
        {
            policy.Record();
        }

        Assert.Equal(1, policy.Current);
        time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 4; i++)
        {
            policy.Record();
        }

        Assert.Equal(8, policy.CountLastMinute());
        Assert.Equal(2, policy.Current);

        // The first four leave the window after a minute; the later four after another half minute.
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(4, policy.CountLastMinute());
        Assert.Equal(1, policy.Current);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, policy.CountLastMinute());
        Assert.Equal(0, policy.Current);
    }

    [Fact]
    public void A_long_quiet_spell_clears_every_slot()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 16, 5, 0, TimeSpan.Zero));
        var policy = new DifficultyPolicy(quietPerMinute: 1, maxDifficulty: 10, time);
        for (var s = 0; s < DifficultyPolicy.Slots; s++)
        {
            policy.Record();
            time.Advance(DifficultyPolicy.SlotLength);
        }

        time.Advance(TimeSpan.FromHours(3));
        Assert.Equal(0, policy.CountLastMinute());
        policy.Record();
        Assert.Equal(1, policy.CountLastMinute());
    }
}
