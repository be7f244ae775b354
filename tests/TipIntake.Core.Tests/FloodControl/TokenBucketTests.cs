using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Tests.FloodControl;

public sealed class TokenBucketTests
{
    [Fact]
    public void Burst_is_admitted_then_refused_with_the_time_until_the_next_token()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(ratePerSecond: 0.25, capacity: 3, time);

        Assert.True(bucket.TryTake(out _));
        Assert.True(bucket.TryTake(out _));
        Assert.True(bucket.TryTake(out _));
        Assert.False(bucket.TryTake(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(4), retryAfter);

        time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(bucket.TryTake(out retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(bucket.TryTake(out _));
    }

    [Fact]
    public void Refill_never_exceeds_the_capacity()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(ratePerSecond: 100, capacity: 5, time);
        Assert.True(bucket.TryTake(out _));
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(5, bucket.Available);
    }

    [Fact]
    public void Retry_after_is_at_least_one_second()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(ratePerSecond: 1000, capacity: 1, time);
        Assert.True(bucket.TryTake(out _));
        Assert.False(bucket.TryTake(out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
    }
}
