using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Retention;
using TipIntake.Core.Triage;
using TipIntake.Infrastructure.Storage;
using TipIntake.IntegrationTests.Triage;

namespace TipIntake.IntegrationTests.FollowUp;

/// <summary>Purging a closed tip deletes its <c>FollowUpKeys</c> row, the sealed key with it; its code then gets the decoy.</summary>
public sealed class FollowUpRetentionTests
{
    [Fact]
    public async Task Purging_a_closed_tip_deletes_its_follow_up_key_and_its_code_then_gets_a_decoy()
    {
        await using var host = await TriageHost.StartAsync(settings: FollowUpLookupTests.GenerousBucket);
        var reporter = FollowUpClient.New();
        var tip = await FollowUpLookupTests.EnrolAsync(host.Host, reporter.Member());
        var keys = new TableServiceClient(host.Host.ConnectionString).GetTableClient(StorageNames.FollowUpKeysTable);
        var lookupHash = tip.GetString("LookupHash");
        await Eventually.HoldsAsync(async () => (await keys.GetEntityIfExistsAsync<TableEntity>(lookupHash, tip.RowKey)).HasValue, "the FollowUpKeys row");

        var triage = host.Host.App.GetRequiredService<ITriageStore>();
        var row = (await triage.GetAsync(tip.RowKey, default))!;
        var at = DateTimeOffset.UtcNow;
        var closing = new TipEvent(tip.RowKey, TriageIds.NewTimeOrdered(at), at, "oid-editor", TipEventActions.StatusChanged, "new", "closed");
        Assert.IsType<StoreWrite.Written>(await triage.UpdateAsync(
            new TipUpdate(tip.RowKey, row.Summary.Queue, row.StorageETag, row.Version + 1, TriageStatuses.Closed, null, [], at, new PendingAudit(closing, null), row.Summary), default));

        // Closed: the thread says so, and answering is no longer offered.
        using (var closed = await FollowUpLookupTests.LookUpAsync(host.Host, reporter.Lookup))
        {
            var thread = JsonDocument.Parse(await closed.Content.ReadAsStringAsync()).RootElement.GetProperty("threads")[0];
            Assert.Equal("closed", thread.GetProperty("status").GetString());
            Assert.False(thread.GetProperty("answerable").GetBoolean());
        }

        var report = await host.Host.App.GetRequiredService<RetentionService>().RunAsync(DateTimeOffset.UtcNow + TimeSpan.FromDays(400), default);

        Assert.Equal(1, report.ClosedTipsPurged);
        Assert.False((await keys.GetEntityIfExistsAsync<TableEntity>(lookupHash, tip.RowKey)).HasValue);
        using var after = await FollowUpLookupTests.LookUpAsync(host.Host, reporter.Lookup);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var decoy = JsonDocument.Parse(await after.Content.ReadAsStringAsync()).RootElement.GetProperty("threads")[0];
        Assert.Equal("received", decoy.GetProperty("status").GetString());
        Assert.False(reporter.Opens(decoy.GetProperty("sealedKey").GetString()!));
    }
}
