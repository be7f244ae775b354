using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core;
using TipIntake.Core.Retention;
using TipIntake.Core.Triage;
using TipIntake.Infrastructure.Storage;
using TipIntake.IntegrationTests.Triage;

namespace TipIntake.IntegrationTests.FollowUp;

/// <summary>
/// A closed report's thread ends: after <c>FollowUp:AccessAfterClose</c> its sealed key is deleted, and purging the tip
/// deletes its <c>FollowUpKeys</c> row in any case; the code then gets the decoy.
/// </summary>
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

        await CloseAsync(host, tip.RowKey);

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

    [Fact]
    public async Task A_thread_closed_longer_than_AccessAfterClose_loses_its_sealed_key_and_the_tip_stays()
    {
        await using var host = await TriageHost.StartAsync(settings: FollowUpLookupTests.GenerousBucket);
        var reporter = FollowUpClient.New();
        var tip = await FollowUpLookupTests.EnrolAsync(host.Host, reporter.Member());
        var keys = new TableServiceClient(host.Host.ConnectionString).GetTableClient(StorageNames.FollowUpKeysTable);
        var lookupHash = tip.GetString("LookupHash");
        await Eventually.HoldsAsync(async () => (await keys.GetEntityIfExistsAsync<TableEntity>(lookupHash, tip.RowKey)).HasValue, "the FollowUpKeys row");
        await CloseAsync(host, tip.RowKey);
        var expiry = host.Host.App.GetRequiredService<Core.FollowUp.FollowUpExpiry>();

        // Within the default 90 days: nothing changes.
        Assert.Equal((0, 0), await expiry.RunAsync(DateTimeOffset.UtcNow + TimeSpan.FromDays(89), default));
        Assert.True((await keys.GetEntityIfExistsAsync<TableEntity>(lookupHash, tip.RowKey)).HasValue);

        Assert.Equal((1, 1), await expiry.RunAsync(DateTimeOffset.UtcNow + TimeSpan.FromDays(91), default));

        Assert.False((await keys.GetEntityIfExistsAsync<TableEntity>(lookupHash, tip.RowKey)).HasValue);
        var row = (await host.Host.Tips.GetEntityAsync<TableEntity>(tip.PartitionKey, tip.RowKey)).Value;
        Assert.Equal("expired", row.GetString("FollowUp"));
        Assert.Equal(tip.GetString("Narrative"), row.GetString("Narrative"));
        var trail = await host.Host.App.GetRequiredService<ITriageStore>().GetEventsAsync(tip.RowKey, default);
        Assert.Equal(("retention", "follow-up-expired"), (trail[^1].Actor, trail[^1].Action));

        // The code now gets the decoy; a second run finds nothing more to do.
        using var after = await FollowUpLookupTests.LookUpAsync(host.Host, reporter.Lookup);
        var decoy = JsonDocument.Parse(await after.Content.ReadAsStringAsync()).RootElement.GetProperty("threads")[0];
        Assert.Equal("received", decoy.GetProperty("status").GetString());
        Assert.False(reporter.Opens(decoy.GetProperty("sealedKey").GetString()!));
        Assert.Equal((0, 0), await expiry.RunAsync(DateTimeOffset.UtcNow + TimeSpan.FromDays(91), default));
    }

    /// <summary>Closes the tip as an editor would (the status change and its audit event).</summary>
    private static async Task CloseAsync(TriageHost host, string tipId)
    {
        var triage = host.Host.App.GetRequiredService<ITriageStore>();
        var row = (await triage.GetAsync(tipId, default))!;
        var at = DateTimeOffset.UtcNow;
        var closing = new TipEvent(tipId, TriageIds.NewTimeOrdered(at), at, "oid-editor", Codes.Of(TipEventAction.StatusChanged), "new", "closed");
        Assert.IsType<StoreWrite.Written>(await triage.UpdateAsync(
            new TipUpdate(tipId, row.Summary.Queue, row.StorageETag, row.Version + 1, TriageStatuses.Closed, null, [], at, new PendingAudit(closing, null), row.Summary), default));
        await triage.AddEventAsync(closing, default);
    }
}
