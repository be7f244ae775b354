using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Tests.Fakes;

namespace TipIntake.Core.Tests.FloodControl;

public sealed class SharedTokenBucketTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 16, 5, 0, TimeSpan.Zero));

    [Fact]
    public async Task Instances_together_never_take_more_than_the_shared_rate()
    {
        var store = new FakeBucketStore(_time);
        var instances = Enumerable.Range(0, 5)
            .Select(_ => new SharedTokenBucket(store, "kv", ratePerSecond: 40, burst: 40, block: 5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), _time))
            .ToList();
        var taken = 0;
        for (var step = 0; step < 100; step++)
        {
            foreach (var instance in instances)
            {
                for (var i = 0; i < 10; i++)
                {
                    taken += await instance.TryTakeAsync(0, default) ? 1 : 0;
                }
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        // 10 s at 40 a second, plus the first burst: never more, whatever the instances asked.
        Assert.InRange(taken, 360, 400 + 40);
    }

    [Fact]
    public async Task Below_the_rate_most_takes_are_local_from_blocks_claimed_once()
    {
        var store = new FakeBucketStore(_time);
        var bucket = new SharedTokenBucket(store, "kv", ratePerSecond: 40, burst: 40, block: 5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), _time);
        for (var i = 0; i < 200; i++)
        {
            Assert.True(await bucket.TryTakeAsync(0, default));
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(40, store.Takes); // one storage operation per five tokens
    }

    [Fact]
    public async Task A_reserve_keeps_room_for_the_main_lane()
    {
        var store = new FakeBucketStore(_time);
        var bulk = new SharedTokenBucket(store, "kv", 40, 40, 1, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), _time);
        var main = new SharedTokenBucket(store, "kv", 40, 40, 1, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), _time);
        var bulkTaken = 0;
        while (await bulk.TryTakeAsync(keepAtLeast: 10, default))
        {
            bulkTaken++;
        }

        Assert.Equal(30, bulkTaken);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await main.TryTakeAsync(0, default));
        }

        Assert.False(await main.TryTakeAsync(0, default));
    }

    [Fact]
    public async Task Unspent_tokens_go_stale_so_no_instance_hoards_a_burst()
    {
        var store = new FakeBucketStore(_time);
        var first = new SharedTokenBucket(store, "kv", 10, 10, 10, TimeSpan.Zero, TimeSpan.FromSeconds(1), _time);
        Assert.True(await first.TryTakeAsync(0, default)); // claims all ten
        _time.Advance(TimeSpan.FromSeconds(2));

        var second = new SharedTokenBucket(store, "kv", 10, 10, 10, TimeSpan.Zero, TimeSpan.FromSeconds(1), _time);
        var taken = 0;
        while (await second.TryTakeAsync(0, default) && taken < 100)
        {
            taken++;
        }

        Assert.Equal(10, taken); // what refilled; the first instance's nine are gone, not spent later on top
        Assert.True(await first.TryTakeAsync(0, default) is false);
    }
}
