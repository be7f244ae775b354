using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Tests.Fakes;

namespace TipIntake.Core.Tests.FollowUp;

public class LookupGateTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));

    private LookupGate Gate(double perSecond = 5, int burst = 50) => new(
        Options.Create(new FollowUpOptions { MaxLookupsPerSecond = perSecond, LookupBurst = burst }),
        new FakeBucketStore(_time), _time, NullLogger<LookupGate>.Instance);

    [Fact]
    public async Task The_bucket_gives_its_burst_then_refuses_until_it_refills()
    {
        using var gate = Gate(perSecond: 5, burst: 10);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await gate.TryTakeAsync(default));
        }

        Assert.False(await gate.TryTakeAsync(default));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await gate.TryTakeAsync(default));
    }

    [Fact]
    public async Task No_answer_leaves_before_the_floor_since_arrival()
    {
        using var gate = Gate();
        var arrived = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(100));

        var held = gate.HoldUntilFloorAsync(arrived, default);
        Assert.False(held.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.False(held.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await held;

        // Work that already took longer than the floor is not held further.
        var late = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(gate.HoldUntilFloorAsync(late, default).IsCompleted);
    }
}
