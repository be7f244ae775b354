using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Intake;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Index;
using TipIntake.Infrastructure.Storage;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>
/// The triage index on real Azurite: consistent with <c>Tips</c> under concurrent changes, after storage fails between
/// a change and its index work, and after the repair job meets a deliberately skewed count. Failures are made on the
/// wire, between the worker and Azurite (<see cref="StorageFaultProxy"/>).
/// </summary>
public sealed class TriageIndexTests : IAsyncLifetime
{
    private StorageFault _setWritesFail = null!;
    private StorageFault _locatorWriteFails = null!;
    private TriageHost _host = null!;

    public async Task InitializeAsync()
    {
        var proxy = await StorageFaultProxy.StartAsync(await SharedAzurite.NewAccountAsync());

        // A set is written by an entity group transaction (POST …/$batch); only the index writes them.
        _setWritesFail = proxy.Add(new StorageFault
        {
            Matches = request => request.Method == "POST" && request.Path.Value?.EndsWith("/$batch", StringComparison.Ordinal) == true,
            Enabled = false,
        });

        // The processor's first index write is the tip's locator: failing it and the storage client's two retries
        // fails exactly one processing attempt.
        _locatorWriteFails = proxy.Add(new StorageFault { Matches = StorageFault.WritesTo(StorageNames.IndexTable + "(PartitionKey='id."), Enabled = false, Limit = 3 });
        _host = await TriageHost.StartAsync(connectionString: proxy.ConnectionString, owned: proxy);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Paging_returns_every_tip_exactly_once_at_scale_while_tips_arrive_and_chunks_split()
    {
        // Enough tips that every view splits into several chunks while it is paged.
        var now = TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow);
        var seeded = new ConcurrentBag<string>();
        await Parallel.ForAsync(0, 300, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            seeded.Add(await _host.SeedAsync(TestTips.NewMarker(), priority: 1 + (i % 3), receivedHour: now - TimeSpan.FromHours(i % 6))));
        using var stop = new CancellationTokenSource();
        var arrivals = Enumerable.Range(0, 4).Select(async i =>
        {
            var count = 0;
            while (!stop.IsCancellationRequested)
            {
                await _host.SeedAsync(TestTips.NewMarker(), priority: 1 + ((i + count) % 3), receivedHour: now - TimeSpan.FromHours(count % 7));
                count++;
            }

            return count;
        }).ToArray();

        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var (ids, next) = await _host.ListIdsAsync("api/triage/tips?pageSize=10" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            Assert.InRange(ids.Count, 0, 10);
            seen.AddRange(ids);
            continuation = next;
            pages++;
        }
        while (continuation is not null && pages < 500);

        await stop.CancelAsync();
        var inserted = (await Task.WhenAll(arrivals)).Sum();

        Assert.True(inserted > 0, "Tips must have arrived while paging.");
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Superset(seeded.ToHashSet(), seen.ToHashSet());
        var chunks = await ChunkCountAsync(TriageSets.All);
        Assert.True(chunks >= 2, $"The view must have split into chunks ({chunks}).");
    }

    [Fact]
    public async Task Concurrent_changes_of_many_tips_leave_views_and_counts_exact()
    {
        var ids = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            ids.Add(await _host.SeedAsync(TestTips.NewMarker(), "detention"));
        }

        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (id, _) =>
        {
            var (_, etag) = await _host.ReadTipAsync(id);
            using var response = await _host.ChangeAsync(id, "status", new { status = "in-review" }, etag);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        Assert.Empty((await _host.ListIdsAsync("api/triage/tips?status=new&pageSize=100")).Ids);
        Assert.Equal(ids.ToHashSet(), (await _host.ListIdsAsync("api/triage/tips?queue=detention&status=in-review&pageSize=100")).Ids.ToHashSet());
        Assert.Equal(["detention/in-review/24"], await CountsAsync());
    }

    [Fact]
    public async Task A_change_whose_index_work_fails_is_answered_503_and_the_next_read_of_the_tip_completes_it()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker(), "detention");
        await _host.WaitForContentIndexAsync();
        var (_, etag) = await _host.ReadTipAsync(id);
        _setWritesFail.Enabled = true;

        using (var failed = await _host.ChangeAsync(id, "status", new { status = "in-review" }, etag))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        _setWritesFail.Enabled = false;
        Assert.True(_setWritesFail.Applied > 0);

        // The row has changed and says what is left to do; the index does not show it yet.
        var row = await _host.Host.Tips.GetEntityAsync<TableEntity>("detention", id);
        Assert.Equal("in-review", row.Value.GetString("Status"));
        Assert.Contains("\"change\"", row.Value.GetString("PendingIndex"), StringComparison.Ordinal);
        Assert.Equal([id], (await _host.ListIdsAsync("api/triage/tips?status=new")).Ids);

        var (tip, _) = await _host.ReadTipAsync(id, "reader");

        Assert.Equal("in-review", tip.GetProperty("status").GetString());
        Assert.Empty((await _host.ListIdsAsync("api/triage/tips?status=new")).Ids);
        Assert.Equal([id], (await _host.ListIdsAsync("api/triage/tips?status=in-review")).Ids);
        Assert.Equal(["detention/in-review/1"], await CountsAsync());
        Assert.Equal("", (await _host.Host.Tips.GetEntityAsync<TableEntity>("detention", id)).Value.GetString("PendingIndex"));
    }

    [Fact]
    public async Task A_tip_whose_indexing_fails_when_stored_is_indexed_by_the_queue_redelivery()
    {
        _locatorWriteFails.Enabled = true;
        var marker = TestTips.NewMarker();
        using var accepted = await TestTips.PostAsync(_host.Host.Http, await TestTips.EncryptAsync(_host.Host.Http, TestTips.ValidTipJson("Arrested near Tumen " + marker)));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var stored = await _host.Host.WaitForTipAsync(marker);
        var listed = await Eventually.ReturnsAsync(async () =>
        {
            var (ids, _) = await _host.ListIdsAsync("api/triage/tips?pageSize=100");
            return ids.Contains(stored.RowKey) ? ids : null;
        }, "the tip in the list once its message was redelivered");

        Assert.Single(listed);
        Assert.Equal(3, _locatorWriteFails.Applied); // the first attempt's write and both its retries: that attempt failed
        await _host.Host.WaitUntilInboundIsEmptyAsync();
        await _host.WaitForContentIndexAsync();
        Assert.Equal("", (await _host.Host.Tips.GetEntityAsync<TableEntity>(stored.PartitionKey, stored.RowKey)).Value.GetString("PendingIndex"));
        Assert.Equal([stored.RowKey], (await _host.ListIdsAsync("api/triage/search?q=tumen")).Ids);
    }

    [Fact]
    public async Task The_repair_job_corrects_a_skewed_count_a_lost_entry_a_stray_entry_and_a_never_indexed_tip()
    {
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add(await _host.SeedAsync(TestTips.NewMarker(), "detention"));
        }

        await _host.WaitForContentIndexAsync();
        var services = _host.Host.App;
        var sets = services.GetRequiredService<IIndexSets>();
        var (lostTip, _) = await _host.ReadTipAsync(ids[0]);
        var lostKey = IndexKeys.Order(lostTip.GetProperty("priority").GetInt32(), lostTip.GetProperty("receivedHour").GetDateTimeOffset(), ids[0]);
        await sets.ApplyAsync([SetChange.Remove(TriageSets.All, lostKey)], default);
        await sets.ApplyAsync([SetChange.Put(TriageSets.Status(TriageStatuses.Closed), IndexKeys.Order(3, DateTimeOffset.UtcNow, TipIntakeService.NewTipId()), "{}")], default);
        await SkewTallyAsync(TriageSets.QueueStatus("detention", "new"), 41);

        // A tip stored before the index existed: a row and nothing else.
        var legacy = TipIntakeService.NewTipId();
        var entity = new TableEntity("general", legacy)
        {
            ["SchemaVersion"] = 1, ["Status"] = "new", ["Priority"] = 3, ["Category"] = "detention", ["Urgency"] = "soon",
            ["Narrative"] = "오래된 제보: 혜산에서 잡혔습니다", ["ReceivedHour"] = TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow), ["ReceiptHash"] = "h", ["KeyId"] = "k",
        };
        await _host.Host.Tips.AddEntityAsync(entity);
        Assert.Equal(["detention/new/41"], await CountsAsync());
        Assert.DoesNotContain(ids[0], (await _host.ListIdsAsync("api/triage/tips?pageSize=100")).Ids);

        var report = await services.GetRequiredService<TriageIndexRepair>().RunAsync(default);

        Assert.Equal(5, report.TipsChecked);
        Assert.Equal(1, report.TipsIndexed);
        Assert.True(report.TipsCorrected >= 2, $"The lost and the stray entry must be corrected ({report}).");
        Assert.True(report.CountsCorrected >= 1, $"The skewed count must be corrected ({report}).");
        Assert.Equal(["detention/new/4", "general/new/1"], await CountsAsync());
        var listed = (await _host.ListIdsAsync("api/triage/tips?pageSize=100")).Ids;
        Assert.Equal(ids.Append(legacy).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Empty((await _host.ListIdsAsync("api/triage/tips?status=closed")).Ids);
        Assert.Equal([legacy], (await _host.ListIdsAsync("api/triage/search?q=Hyesan")).Ids);
        var (legacyTip, _) = await _host.ReadTipAsync(legacy, "reader");
        Assert.Equal("오래된 제보: 혜산에서 잡혔습니다", legacyTip.GetProperty("narrative").GetString());

        var again = await services.GetRequiredService<TriageIndexRepair>().RunAsync(default);
        Assert.Equal(new IndexRepairReport(5, 0, 0, 0, 0), again);
    }

    private async Task<List<string>> CountsAsync()
    {
        using var response = await _host.GetAsync("api/triage/counts", "reader");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("counts").EnumerateArray().Select(c =>
            $"{c.GetProperty("queue").GetString()}/{c.GetProperty("status").GetString()}/{c.GetProperty("count").GetInt32()}")];
    }

    private async Task<int> ChunkCountAsync(string set)
    {
        var count = 0;
        var index = new TableServiceClient(_host.Host.ConnectionString).GetTableClient(StorageNames.IndexTable);
        await foreach (var _ in index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {set} and RowKey gt {set + "|c"}"), select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }

    /// <summary>Writes a wrong size into the tally row, as a crash between a set's write and its tally's could leave it.</summary>
    private async Task SkewTallyAsync(string set, long count)
    {
        var index = new TableServiceClient(_host.Host.ConnectionString).GetTableClient(StorageNames.IndexTable);
        var tally = (await index.GetEntityAsync<TableEntity>("tally", "t")).Value;
        var sizes = JsonSerializer.Deserialize<Dictionary<string, long[]>>(tally.GetString("S")!)!;
        sizes[set] = [count, sizes[set][1]];
        tally["S"] = JsonSerializer.Serialize(sizes);
        await index.UpdateEntityAsync(tally, tally.ETag, TableUpdateMode.Replace);
    }
}
