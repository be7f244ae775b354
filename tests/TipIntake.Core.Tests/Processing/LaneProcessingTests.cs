using Microsoft.Extensions.Options;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Testing;

namespace TipIntake.Core.Tests.Processing;

/// <summary>
/// Processing by effort (docs/flood-control.md, "Lanes"): what was paid below the suggested effort makes way, bulk work
/// waits while the main lane has work, no unwrap without a budget token — and whatever is deferred is put back on a
/// lane, whole, before its delivery completes.
/// </summary>
public sealed class LaneProcessingTests
{
    private readonly ProcessorHarness _h = new();
    private readonly FakeTipInbox _lanes = new();
    private readonly FloodState _flood = new(Options.Create(new FloodControlOptions { BacklogThreshold = 10 }));
    private readonly Budget _budget = new();
    private readonly TipProcessor _processor;

    public LaneProcessingTests()
    {
        var routing = new RoutingOptions();
        _processor = new TipProcessor(
            _h.Key, _h.Store, _h.Quarantine, _h.ClaimChecks, new TipRouter(Options.Create(routing)), new FixedTimeProvider(ProcessorHarness.Now),
            new CapturingLogger<TipProcessor>(), _lanes, _budget, _flood,
            Options.Create(new ProcessingOptions { BulkWhenMainBelow = 16, MainDeferral = TimeSpan.FromSeconds(1), BulkDeferral = TimeSpan.FromSeconds(5), HoldFor = TimeSpan.Zero }));
    }

    /// <summary>A processor that holds messages up to 20 s, on a clock the test moves.</summary>
    private TipProcessor Holding(Microsoft.Extensions.Time.Testing.FakeTimeProvider time) => new(
        _h.Key, _h.Store, _h.Quarantine, _h.ClaimChecks, new TipRouter(Options.Create(new RoutingOptions())), time,
        new CapturingLogger<TipProcessor>(), _lanes, _budget, _flood,
        Options.Create(new ProcessingOptions { BulkWhenMainBelow = 16, HoldFor = TimeSpan.FromSeconds(20) }));

    private InboundMessage Message(int? effort) =>
        _h.MessageOf(_h.EnvelopeFor(_h.BuildJwe().Compact) with { Effort = effort });

    [Fact]
    public async Task Main_lane_work_paid_at_least_the_suggested_effort_is_processed()
    {
        _flood.SetFloor(6);

        var outcome = await _processor.ProcessAsync(Message(6), Lane.Main, default);

        var stored = Assert.IsType<ProcessingOutcome.Stored>(outcome);
        Assert.Equal(6, Assert.Single(_h.Store.Tips).Effort);
        Assert.Empty(_lanes.Requeued);
        Assert.Equal(1, _h.Key.UnwrapCalls);
        Assert.False(stored.WasRedelivery);
    }

    [Fact]
    public async Task Main_lane_work_paid_below_the_suggested_effort_moves_to_the_bulk_lane_whole_without_an_unwrap()
    {
        _flood.SetFloor(6);
        _flood.SetMainBacklog(11); // suggested: 7
        var message = Message(6);

        var outcome = await _processor.ProcessAsync(message, Lane.Main, default);

        Assert.Equal(new ProcessingOutcome.Deferred(Lane.Bulk, "paid below the suggested effort"), outcome);
        var (lane, body, delay) = Assert.Single(_lanes.Requeued);
        Assert.Equal((Lane.Bulk, TimeSpan.Zero), (lane, delay));
        Assert.Equal(message.Body.ToArray(), body);
        Assert.Equal(0, _h.Key.UnwrapCalls);
        Assert.Empty(_h.Store.Tips);
    }

    [Fact]
    public async Task No_script_work_has_no_effort_and_is_never_moved_out_of_the_main_lane()
    {
        _flood.SetFloor(20);
        _flood.SetMainBacklog(1_000);

        Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(Message(null), Lane.Main, default));
    }

    [Fact]
    public async Task Bulk_work_waits_while_the_main_lane_has_work_and_is_processed_once_it_has_none()
    {
        _flood.SetMainBacklog(17);
        var message = Message(0);

        Assert.Equal(new ProcessingOutcome.Deferred(Lane.Bulk, "the main lane has work"), await _processor.ProcessAsync(message, Lane.Bulk, default));
        Assert.Equal((Lane.Bulk, TimeSpan.FromSeconds(5)), (_lanes.Requeued[0].Lane, _lanes.Requeued[0].Delay));

        _flood.SetMainBacklog(16);
        Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(message, Lane.Bulk, default));
        Assert.Equal([Lane.Bulk], _budget.Asked);
    }

    [Theory]
    [InlineData(Lane.Main, 1)]
    [InlineData(Lane.Bulk, 5)]
    public async Task Without_a_budget_token_nothing_is_asked_of_the_key_store_and_the_work_waits_on_its_lane(Lane lane, int seconds)
    {
        _budget.Grant = false;

        var outcome = await _processor.ProcessAsync(Message(3), lane, default);

        Assert.Equal(new ProcessingOutcome.Deferred(lane, "the unwrap budget is spent for now"), outcome);
        Assert.Equal((lane, TimeSpan.FromSeconds(seconds)), (_lanes.Requeued[0].Lane, _lanes.Requeued[0].Delay));
        Assert.Equal(0, _h.Key.UnwrapCalls);
    }

    [Fact]
    public async Task Bulk_work_is_held_not_put_back_while_the_main_lane_empties_and_goes_on_as_soon_as_it_has()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(ProcessorHarness.Now);
        _flood.SetMainBacklog(17);

        var processing = Holding(time).ProcessAsync(Message(0), Lane.Bulk, default);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(processing.IsCompleted);
        _flood.SetMainBacklog(3);
        time.Advance(TipProcessor.HoldPoll);

        Assert.IsType<ProcessingOutcome.Stored>(await processing);
        Assert.Empty(_lanes.Requeued); // held: no storage operation while it waited
    }

    [Fact]
    public async Task Work_held_for_the_budget_past_the_hold_is_put_back_on_its_lane_without_an_unwrap()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(ProcessorHarness.Now);
        _budget.Grant = false;

        var processing = Holding(time).ProcessAsync(Message(3), Lane.Main, default);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(processing.IsCompleted);
        while (!processing.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(processing, Task.Delay(TimeSpan.FromMilliseconds(50)));
        }

        Assert.Equal(new ProcessingOutcome.Deferred(Lane.Main, "the unwrap budget is spent for now"), await processing);
        Assert.True(_budget.Asked.Count >= 2, "asked again while held");
        Assert.Equal(0, _h.Key.UnwrapCalls);
    }

    [Fact]
    public async Task A_lane_that_cannot_take_the_message_back_leaves_it_to_the_queues_retry_never_lost()
    {
        _flood.SetMainBacklog(11);
        _flood.SetFloor(6);
        _lanes.Unavailable = true;

        var outcome = await _processor.ProcessAsync(Message(1), Lane.Main, default);

        Assert.IsType<ProcessingOutcome.RetryLater>(outcome);
        Assert.Empty(_h.Store.Tips);
    }

    [Fact]
    public async Task A_deferred_copy_processed_twice_is_kept_once()
    {
        var message = Message(5);

        Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(message, Lane.Bulk, default));
        var again = Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(message, Lane.Main, default));

        Assert.True(again.WasRedelivery);
        Assert.Single(_h.Store.Tips);
    }

    private sealed class Budget : IUnwrapBudget
    {
        public bool Grant { get; set; } = true;

        public List<Lane> Asked { get; } = [];

        public ValueTask<bool> TryTakeAsync(Lane lane, CancellationToken cancellationToken)
        {
            Asked.Add(lane);
            return ValueTask.FromResult(Grant);
        }
    }
}
