using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Infrastructure.FloodControl;
using TipIntake.Infrastructure.Storage;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.FloodControl;

/// <summary>
/// Table <c>FloodControl</c> in Azurite as several instances share it (docs/flood-control.md, "Shared state"): a shared
/// bucket never grants more than its rate allows however many instances take from it at once, and a nonce is spent once.
/// </summary>
public sealed class SharedStateTests
{
    [Fact]
    public async Task Three_instances_taking_the_Key_Vault_budget_at_once_never_get_more_than_it_allows_together()
    {
        var tables = await NewTablesAsync();
        const double Rate = 20;
        var options = Options.Create(new ProcessingOptions { UnwrapsPerSecond = Rate });
        var budgets = Enumerable.Range(0, 3)
            .Select(_ => new SharedUnwrapBudget(new TableFloodStore(tables, TimeProvider.System), options, TimeProvider.System))
            .ToList();
        var granted = new int[budgets.Count];
        var clock = Stopwatch.StartNew();
        var run = TimeSpan.FromSeconds(3);

        // Eight processors on each instance, half of them in the main lane and half in the bulk lane, take as fast as they can.
        await Task.WhenAll(budgets.SelectMany((budget, i) => Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var lane = worker % 2 == 0 ? Lane.Main : Lane.Bulk;
            while (clock.Elapsed < run)
            {
                if (await budget.TryTakeAsync(lane, CancellationToken.None))
                {
                    Interlocked.Increment(ref granted[i]);
                }
                else
                {
                    await Task.Delay(20);
                }
            }
        }))));
        var elapsed = clock.Elapsed.TotalSeconds;
        budgets.ForEach(b => b.Dispose());

        // At most a full bucket (one second's worth) plus the rate over the time taken; and not starved either.
        Assert.InRange(granted.Sum(), (int)(Rate * 2), (int)Math.Ceiling(Rate + (Rate * elapsed)));
        Assert.All(granted, count => Assert.True(count > 0));
    }

    [Fact]
    public async Task A_nonce_is_spent_once_whichever_instance_tries_first_and_expired_ones_are_swept()
    {
        var tables = await NewTablesAsync();
        var stores = Enumerable.Range(0, 4).Select(_ => new TableFloodStore(tables, TimeProvider.System)).ToList();
        var nonce = (UInt128)Random.Shared.NextInt64() << 64;
        var expiresAt = DateTimeOffset.UtcNow.AddMinutes(5);

        var spent = await Task.WhenAll(stores.Select(store => store.TrySpendAsync(nonce, expiresAt, CancellationToken.None)));

        Assert.Single(spent, s => s);
        Assert.Equal(0, await stores[0].SweepAsync(DateTimeOffset.UtcNow, period: 0, CancellationToken.None));
        Assert.Equal(1, await stores[1].SweepAsync(expiresAt.AddMinutes(2), period: 0, CancellationToken.None));
        Assert.True(await stores[2].TrySpendAsync(nonce + 1, expiresAt, CancellationToken.None));
    }

    [Fact]
    public async Task A_spend_whose_answer_was_lost_and_that_was_sent_again_is_still_the_spenders_own()
    {
        var connection = await SharedAzurite.NewAccountAsync();
        await new TableServiceClient(connection).GetTableClient(StorageNames.FloodControlTable).CreateIfNotExistsAsync();
        await using var proxy = await StorageFaultProxy.StartAsync(connection);

        // The insert lands, then is sent again and the client sees the second answer, 409: what a retry after a lost
        // answer (a network timeout under load) meets.
        var lostAnswer = new StorageFault { Matches = StorageFault.WritesTo(StorageNames.FloodControlTable), Kind = StorageFaultKind.Duplicate };
        proxy.Add(lostAnswer);
        var spender = new TableFloodStore(new TableServiceClient(proxy.ConnectionString), TimeProvider.System);
        var other = new TableFloodStore(new TableServiceClient(connection), TimeProvider.System);
        var nonce = (UInt128)Random.Shared.NextInt64() << 64;
        var expiresAt = DateTimeOffset.UtcNow.AddMinutes(5);

        Assert.True(await spender.TrySpendAsync(nonce, expiresAt, CancellationToken.None));
        Assert.Equal(1, lostAnswer.Applied);
        Assert.False(await other.TrySpendAsync(nonce, expiresAt, CancellationToken.None)); // and still single-use
        Assert.False(await spender.TrySpendAsync(nonce, expiresAt, CancellationToken.None));
    }

    private static async Task<TableServiceClient> NewTablesAsync()
    {
        var tables = new TableServiceClient(await SharedAzurite.NewAccountAsync());
        await tables.GetTableClient(StorageNames.FloodControlTable).CreateIfNotExistsAsync();
        return tables;
    }
}
