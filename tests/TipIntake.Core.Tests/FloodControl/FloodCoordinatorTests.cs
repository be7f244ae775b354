using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Intake;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Testing;

namespace TipIntake.Core.Tests.FloodControl;

/// <summary>Two instances sharing one ledger, as two processes sharing the FloodControl table.</summary>
public sealed class FloodCoordinatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 16, 5, 0, TimeSpan.Zero));
    private readonly FakeFloodLedger _ledger = new();
    private readonly FakeTipInbox _lanes = new();
    private readonly CapturingLogger<FloodCoordinator> _logger = new();
    private readonly FloodControlOptions _options = new()
    {
        ChallengeKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        TargetAcceptedPerSecond = 1,
        FloorPeriod = TimeSpan.FromSeconds(5),
        BacklogThreshold = 10,
    };

    private (FloodGate Gate, FloodState State, FloodCoordinator Coordinator) Instance()
    {
        var options = Options.Create(_options);
        var state = new FloodState(options);
        var gate = new FloodGate(options, state, _ledger, new FakeBucketStore(_time), _time, new CapturingLogger<FloodGate>());
        return (gate, state, new FloodCoordinator(gate, state, _ledger, _lanes, options, _time, _logger));
    }

    private static void Accept(FloodGate gate, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var issued = gate.IssueChallenge();
            Assert.True(gate.AdmitStampedAsync(Stamps.Solve(issued.Challenge, issued.Difficulty), default).AsTask().GetAwaiter().GetResult().IsAdmitted);
        }
    }

    private async Task TickAllAsync(params FloodCoordinator[] coordinators)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        foreach (var coordinator in coordinators)
        {
            await coordinator.TickAsync(default);
        }
    }

    [Fact]
    public async Task The_floor_is_computed_from_every_instances_count_once_and_shared_by_all()
    {
        var a = Instance();
        var b = Instance();
        await TickAllAsync(a.Coordinator, b.Coordinator);

        // 25 accepted in one 5-s period, split between the instances: 5 a second, 5× the target of 1.
        var periodEnd = _time.GetUtcNow().AddSeconds(5 - (_time.GetUtcNow().ToUnixTimeSeconds() % 5));
        Accept(a.Gate, 15);
        Accept(b.Gate, 10);
        while (_time.GetUtcNow() < periodEnd.AddSeconds(3))
        {
            await TickAllAsync(a.Coordinator, b.Coordinator);
        }

        Assert.Equal(3, a.State.Floor); // ceil(log2(5 / 1))
        Assert.Equal(3, b.State.Floor);
        Assert.Equal(3, _ledger.Floor.Floor);
        Assert.Contains(_logger.Lines, l => l.Contains("the floor is now 3 bits (was 0", StringComparison.Ordinal));
        Assert.Equal(3, a.Gate.IssueChallenge().Difficulty);
    }

    [Fact]
    public async Task A_quiet_service_lets_the_floor_fall_slowly_and_periods_nobody_computed_count_as_quiet()
    {
        var a = Instance();
        await _ledger.TryAdvanceFloorAsync(_ledger.Floor, new FloorStep(12), a.Gate.PeriodOf(_time.GetUtcNow()), default);

        // Scaled to zero for ten minutes, then an instance starts: it catches up at once.
        _time.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 3; i++)
        {
            await TickAllAsync(a.Coordinator);
        }

        // 119 quiet periods: a bit after 12, another after 24 more, another after 48 more.
        Assert.Equal(9, a.State.Floor);
    }

    [Fact]
    public async Task Periods_missed_for_a_few_seconds_under_load_leave_the_floor_where_it_was()
    {
        var a = Instance();
        await _ledger.TryAdvanceFloorAsync(_ledger.Floor, new FloorStep(20), a.Gate.PeriodOf(_time.GetUtcNow()), default);

        // Too busy to tick for 25 s (five periods) while the flood goes on at the target's rate (5 in 5 s).
        _time.Advance(TimeSpan.FromSeconds(20));
        Accept(a.Gate, 5);
        _time.Advance(TimeSpan.FromSeconds(5));
        Accept(a.Gate, 5);
        var periodEnd = _time.GetUtcNow().AddSeconds(5 - (_time.GetUtcNow().ToUnixTimeSeconds() % 5));
        while (_time.GetUtcNow() < periodEnd.AddSeconds(3))
        {
            await TickAllAsync(a.Coordinator);
        }

        Assert.Equal(20, a.State.Floor); // 1 a second: at the target, held; not three missed periods' fall of six bits
    }

    [Fact]
    public async Task What_was_accepted_under_the_old_floor_in_a_period_the_floor_rose_is_counted_at_its_own_price_so_the_floor_does_not_overshoot()
    {
        var a = Instance();
        await TickAllAsync(a.Coordinator); // t = 1 s into a period

        // 40 in the first period: 8 a second, eight times the target, so the floor rises three bits 1.5 s into the next.
        Accept(a.Gate, 40);
        for (var t = 2; t <= 6; t++)
        {
            await TickAllAsync(a.Coordinator);
        }

        // The next period: 16 more accepted at floor 0 before the new floor was known (t = 6 s), two at floor 3 after.
        Accept(a.Gate, 16);
        await TickAllAsync(a.Coordinator);
        Assert.Equal(3, a.State.Floor);
        Accept(a.Gate, 2);
        for (var t = 8; t <= 13; t++)
        {
            await TickAllAsync(a.Coordinator);
        }

        // 18 in 5 s would be 3.6 a second and two more bits; at the floor now they are worth 16/8 + 2 = 4 stamps, 0.8 a
        // second, within [R/2, R]: the floor holds.
        Assert.Equal(3, a.State.Floor);
    }

    [Fact]
    public async Task The_main_lanes_backlog_raises_the_suggested_effort_one_bit()
    {
        var a = Instance();
        _lanes.Counts[Lane.Main] = 11;

        await TickAllAsync(a.Coordinator);

        Assert.Equal(11, a.State.MainBacklog);
        Assert.Equal(a.State.Floor + 1, a.State.SuggestedEffort);
        _lanes.Counts[Lane.Main] = 10;
        await TickAllAsync(a.Coordinator);
        Assert.Equal(a.State.Floor, a.State.SuggestedEffort);
    }

    [Fact]
    public async Task An_unreachable_ledger_leaves_the_floor_as_it_was()
    {
        var a = Instance();
        a.State.SetFloor(7);
        _ledger.Unavailable = true;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => a.Coordinator.TickAsync(default));

        Assert.Equal(7, a.State.Floor);
    }
}
