using Azure.Data.Tables;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Index;
using TipIntake.Infrastructure.Storage;
using TipIntake.Infrastructure.Triage.Index;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>
/// The content indexer's writes wait behind everyone else's (docs/triage.md, "Index"): a batch of its tips touches
/// thousands of term sets, and the processor storing a tip meanwhile must not queue behind them.
/// </summary>
public sealed class IndexWritePriorityTests
{
    [Fact]
    public async Task A_write_someone_waits_for_is_not_queued_behind_the_content_indexers_writes()
    {
        var tables = new TableServiceClient(await SharedAzurite.NewAccountAsync());
        await tables.CreateTableIfNotExistsAsync(StorageNames.IndexTable);
        using var sets = new TableIndexSets(tables);
        const int TermSets = 200;

        var background = sets.ApplyAsync(
            [.. Enumerable.Range(0, TermSets).Select(i => SetChange.Put($"t.priority-term-{i}", "0001"))], default, IndexWrite.Background);
        var now = await sets.ApplyAsync([SetChange.Put(TriageSets.All, "0001")], default, IndexWrite.Now);
        var termSetsWrittenMeanwhile = await CountTermSetsAsync(sets);

        Assert.Equal(1, now[TriageSets.All]);
        Assert.True(termSetsWrittenMeanwhile < TermSets / 2, $"The write waited behind {termSetsWrittenMeanwhile} of the {TermSets} background sets.");
        Assert.Equal(TermSets, (await background).Count);
        Assert.Equal(TermSets, await CountTermSetsAsync(sets));
    }

    private static async Task<int> CountTermSetsAsync(TableIndexSets sets)
    {
        var count = 0;
        await foreach (var _ in sets.ListSetsAsync("t.priority-term-", default))
        {
            count++;
        }

        return count;
    }
}
