using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Tests.FloodControl;

public sealed class SpentChallengesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 16, 5, 0, TimeSpan.Zero);

    [Fact]
    public void A_nonce_is_held_once_and_found_again_under_its_expiry()
    {
        var spent = new SpentChallenges();
        var nonce = UInt128.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture);
        var expiresAt = Now.AddMinutes(5);

        Assert.False(spent.Contains(nonce, expiresAt));
        Assert.True(spent.Add(nonce, expiresAt));
        Assert.False(spent.Add(nonce, expiresAt));
        Assert.True(spent.Contains(nonce, expiresAt));
        Assert.Equal(1, spent.Count);
    }

    [Fact]
    public void Buckets_are_dropped_whole_once_every_expiry_in_them_has_passed_and_not_before()
    {
        var spent = new SpentChallenges();
        var width = SpentChallenges.BucketWidth;
        var start = new DateTimeOffset(Now.UtcTicks / width.Ticks * width.Ticks, TimeSpan.Zero);

        // Three buckets: expiries at the start of the first, the end of the first, and in the second and third.
        spent.Add(1, start);
        spent.Add(2, start + width - TimeSpan.FromTicks(1));
        spent.Add(3, start + width);
        spent.Add(4, start + (2 * width));
        Assert.Equal(3, spent.BucketCount);

        // At the last expiry of the first bucket it is still held (that challenge expires at this very instant).
        Assert.Equal(0, spent.Sweep(start + width - TimeSpan.FromTicks(1)));
        Assert.Equal(2, spent.Sweep(start + width));
        Assert.Equal(2, spent.Count);
        Assert.Equal(2, spent.BucketCount);
        Assert.False(spent.Contains(2, start + width - TimeSpan.FromTicks(1)));
        Assert.True(spent.Contains(3, start + width));

        Assert.Equal(2, spent.Sweep(start + (3 * width)));
        Assert.Equal(0, spent.Count);
        Assert.Equal(0, spent.BucketCount);
    }

    [Fact]
    public void Memory_is_bounded_by_the_live_buckets_after_a_surge()
    {
        var spent = new SpentChallenges();

        // A surge: 100,000 nonces over five minutes, then nothing.
        for (var i = 0; i < 100_000; i++)
        {
            spent.Add((UInt128)i * 0x9E3779B97F4A7C15UL, Now.AddMinutes(5).AddMilliseconds(i * 3));
        }

        Assert.Equal(100_000, spent.Count);
        Assert.Equal(100_000, spent.Sweep(Now.AddMinutes(11)));
        Assert.Equal(0, spent.BucketCount);
    }
}
