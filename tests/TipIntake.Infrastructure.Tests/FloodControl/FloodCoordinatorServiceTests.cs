using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Intake;
using TipIntake.Infrastructure.FloodControl;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.FloodControl;

/// <summary>The loop that keeps flood control's shared state current: no failure of one tick may end it.</summary>
public sealed class FloodCoordinatorServiceTests
{
    [Fact]
    public async Task A_tick_that_fails_with_an_unexpected_error_is_logged_by_its_type_and_the_next_tick_counts_the_backlog()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 23, 0, 0, TimeSpan.Zero));
        var options = Options.Create(new FloodControlOptions { ChallengeKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var state = new FloodState(options);
        var ledger = new LedgerFailingFirst();
        var gate = new FloodGate(options, state, ledger, new NoBuckets(), time, new CapturingLogger<FloodGate>());
        var coordinator = new FloodCoordinator(gate, state, ledger, new Backlog(7), options, time, new CapturingLogger<FloodCoordinator>());
        var logger = new CapturingLogger<FloodCoordinatorService>();
        using var service = new FloodCoordinatorService(coordinator, time, logger);

        await service.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (state.MainBacklog != 7 && DateTime.UtcNow < deadline)
        {
            time.Advance(FloodCoordinatorService.Interval);
            await Task.Delay(10);
        }

        await service.StopAsync(CancellationToken.None);
        Assert.Equal(7, state.MainBacklog);
        Assert.True(ledger.Calls > 1);
        var failed = Assert.Single(logger.Lines, line => line.Contains("tick failed", StringComparison.Ordinal));
        Assert.Contains(nameof(InvalidOperationException), failed, StringComparison.Ordinal);
        Assert.DoesNotContain(LedgerFailingFirst.Detail, logger.AllText, StringComparison.Ordinal);
    }

    private sealed class LedgerFailingFirst : IFloodLedger
    {
        public const string Detail = "a detail that is not for the logs";
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<FloodLedgerSnapshot> SyncAsync(InstanceCount mine, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new InvalidOperationException(Detail)
                : Task.FromResult(new FloodLedgerSnapshot(new FloorRecord(new FloorStep(0), long.MaxValue, null), [mine]));

        public Task<bool> TryAdvanceFloorAsync(FloorRecord expected, FloorStep computed, long period, CancellationToken cancellationToken) => Task.FromResult(false);

        public Task<bool> TrySpendAsync(UInt128 nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<int> SweepAsync(DateTimeOffset now, long period, CancellationToken cancellationToken) => Task.FromResult(0);
    }

    private sealed class Backlog(long messages) : ITipInbox
    {
        public Task EnqueueAsync(TipEnvelope envelope, Lane lane, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task RequeueAsync(Lane lane, ReadOnlyMemory<byte> message, TimeSpan delay, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> CountAsync(Lane lane, CancellationToken cancellationToken) => Task.FromResult(messages);
    }

    private sealed class NoBuckets : ISharedBucketStore
    {
        public Task<int> TakeAsync(string name, int wanted, double ratePerSecond, int burst, int keepAtLeast, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
