using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using TipIntake.LocalHost.Azurite;

namespace TipIntake.Benchmarks.Triage;

/// <summary>
/// <c>azurite-tables</c>: how Azurite's query latency grows with the size of the table and of the partition queried.
/// Azurite keeps each table in one LokiJS collection; a query is a filter over the whole collection, while a point read
/// (PartitionKey and RowKey in the URL) uses the collection's binary index. Measured before designing the triage
/// indexes (docs/benchmarks.md, "Azurite's tables").
/// </summary>
public static class AzuriteTableScaling
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.Length > 0 ? args[0].Split(',').Select(s => int.Parse(s, Inv)).ToArray() : [2_000, 10_000, 50_000, 200_000];
        Console.WriteLine($"load {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine("| Rows in table | Partition rows | Query | p50 ms | p95 ms |");
        Console.WriteLine("|---:|---:|---|---:|---:|");
        foreach (var size in sizes)
        {
            await using var azurite = await AzuriteProcess.StartAsync(["scaling"], location: null);
            var service = new TableServiceClient(azurite.ConnectionString("scaling"));
            var table = service.GetTableClient("Scaling");
            await table.CreateAsync();
            var small = service.GetTableClient("Small");
            await small.CreateAsync();
            var shared = service.GetTableClient("Shared");
            await shared.CreateAsync();

            // One partition of 100 rows, the rest in a big partition: a small partition in a big table, and a big one.
            await FillAsync(table, "small", 100);
            await FillAsync(table, "big", size - 100);
            await FillAsync(small, "small", 100);

            // One row per partition, every row with the same RowKey (as a head row "h" per set would be).
            await Parallel.ForAsync(0, size, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                await shared.AddEntityAsync(new TableEntity(Key(i), "h") { ["Count"] = i }, ct));

            var queries = new (string Name, int PartitionRows, Func<Task> Run)[]
            {
                ("PK eq small, top 25", 100, () => FirstPageAsync(table, "PartitionKey eq 'small'")),
                ("PK eq big and RK ge mid, top 25", size - 100, () => FirstPageAsync(table, $"PartitionKey eq 'big' and RowKey ge '{Key(size / 2)}'")),
                ("PK eq small and RK range of 25", 100, () => FirstPageAsync(table, $"PartitionKey eq 'small' and RowKey ge '{Key(50)}' and RowKey lt '{Key(75)}'")),
                ("point read (GET entity)", size - 100, async () => await table.GetEntityAsync<TableEntity>("big", Key(size / 3))),
                ("point read, RowKey shared by every partition", 1, async () => await shared.GetEntityAsync<TableEntity>(Key(size / 3), "h")),
                ("other table of 100 rows, PK eq small, top 25", 100, () => FirstPageAsync(small, "PartitionKey eq 'small'")),
            };
            foreach (var (name, partitionRows, run) in queries)
            {
                for (var i = 0; i < 5; i++)
                {
                    await run();
                }

                var times = new List<double>();
                for (var i = 0; i < 40; i++)
                {
                    var clock = Stopwatch.StartNew();
                    await run();
                    times.Add(clock.Elapsed.TotalMilliseconds);
                }

                times.Sort();
                Console.WriteLine(string.Create(Inv, $"| {size} | {partitionRows} | {name} | {times[times.Count / 2]:F1} | {times[(int)(times.Count * 0.95)]:F1} |"));
            }
        }

        return 0;
    }

    private static string Key(int i) => i.ToString("D9", Inv);

    private static async Task FirstPageAsync(TableClient table, string filter)
    {
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: 25).AsPages())
        {
            _ = page.Values.Count;
            break;
        }
    }

    private static async Task FillAsync(TableClient table, string partition, int rows)
    {
        await Parallel.ForAsync(0, (rows + 99) / 100, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, ct) =>
        {
            var actions = Enumerable.Range(batch * 100, Math.Min(100, rows - (batch * 100)))
                .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, Key(i))
                {
                    ["Priority"] = i % 5,
                    ["Status"] = "new",
                    ["Queue"] = "detention",
                    ["ReceivedHour"] = DateTimeOffset.UnixEpoch.AddHours(i),
                }));
            await table.SubmitTransactionAsync(actions, ct);
        });
    }
}
