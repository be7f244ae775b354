using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace TipIntake.IntegrationTests.FloodControl;

/// <summary>
/// The bulk lane on the real worker (docs/flood-control.md, "Lanes"): its queue functions are found from the worker's
/// metadata like every other, with no adapter in the local host.
/// </summary>
public sealed class LaneTests
{
    [Fact]
    public async Task Work_paid_below_the_suggested_effort_waits_in_the_bulk_lane_and_ProcessBulkTip_stores_it()
    {
        // The main lane is not processed, so its backlog stays; one message over the threshold raises the suggested effort.
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["AzureWebJobs.ProcessTip.Disabled"] = "true",
            ["FloodControl:BacklogThreshold"] = "1",
        });
        for (var i = 0; i < 2; i++)
        {
            using var seeded = await TestTips.PostAsync(host.Http, await TestTips.EncryptAsync(host.Http, TestTips.ValidTipJson(TestTips.NewMarker())));
            Assert.Equal(HttpStatusCode.Accepted, seeded.StatusCode);
        }

        var challenge = await Eventually.ReturnsAsync(
            async () =>
            {
                var issued = await host.Http.GetFromJsonAsync<JsonElement>("api/challenge");
                return issued.GetProperty("suggestedEffort").GetInt32() == 1 ? issued.GetProperty("challenge").GetString() : null;
            },
            "the suggested effort one bit over the floor");

        // Paid the floor (0 bits exactly) but not the suggested effort: accepted, into the bulk lane.
        var marker = TestTips.NewMarker();
        var jwk = await TestTips.GetIntakeKeyAsync(host.Http);
        using var cheap = await TestTips.PostWithStampAsync(
            host.Http, TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(TestTips.ValidTipJson(marker))), TestTips.Solve(challenge, 0, below: 1));
        Assert.Equal(HttpStatusCode.Accepted, cheap.StatusCode);

        // Stored, though ProcessTip is off: ProcessBulkTip took it (the main lane holds 2, under BulkWhenMainBelow).
        var tip = await host.WaitForTipAsync(marker);
        Assert.Equal(0, tip.GetInt32("EffortBand"));
        Assert.Equal(2, (await host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_message_the_bulk_lane_gave_up_on_is_kept_in_the_quarantine_by_QuarantineBulkPoison()
    {
        await using var host = await TestHost.StartAsync();
        var poison = new Azure.Storage.Queues.QueueClient(
            host.ConnectionString,
            Infrastructure.Storage.StorageNames.BulkPoisonQueue,
            new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        await poison.CreateIfNotExistsAsync();

        await poison.SendMessageAsync("""{"v":1,"not":"an envelope"}""");

        var row = await Eventually.ReturnsAsync(
            async () =>
            {
                await foreach (var entity in host.Quarantine.QueryAsync<TableEntity>(e => e.PartitionKey == "retries-exhausted"))
                {
                    return entity;
                }

                return null;
            },
            "the quarantine row");
        Assert.Equal("""{"v":1,"not":"an envelope"}""", Encoding.UTF8.GetString(row.GetBinary("Message")));
    }
}
