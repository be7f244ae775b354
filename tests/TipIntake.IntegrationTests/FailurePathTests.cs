using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using TipIntake.LocalHost.Azurite;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests;

/// <summary>What happens when the key service or storage fails: the tip is retried, quarantined or refused — never lost.</summary>
public sealed class FailurePathTests
{
    [Fact]
    public async Task Message_that_always_fails_transiently_goes_through_the_poison_queue_into_quarantine()
    {
        // A Key Vault outage for unwrapping: every unwrap answers 503, through the client's own retries.
        using var vault = new FakeKeyVault(new FakeTokenCredential())
        {
            PersistentFault = FakeKeyVault.Fault.Unavailable(),
            PersistentFaultOperation = "unwrapkey",
        };
        await using var host = await TestHost.StartWithKeyVaultAsync(
            vault, new Dictionary<string, string>(TestHost.ProcessorDebug) { ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "3" });
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(host.Http, TestTips.ValidTipJson(marker));

        using var response = await TestTips.PostAsync(host.Http, jwe);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var entry = await Eventually.ReturnsAsync(
            async () => await TipJourneyTests.FirstAsync(host.Quarantine.QueryAsync<TableEntity>(e => e.PartitionKey == "retries-exhausted")),
            "a retries-exhausted quarantine entry");
        var kept = Encoding.UTF8.GetString(entry.GetBinary("Message"));
        Assert.Contains(jwe, kept, StringComparison.Ordinal);
        Assert.Equal(entry.RowKey, entry.GetString("TipId"));

        // maxDequeueCount from the host.json override was honoured: exactly three attempts, then the poison queue.
        var retries = host.Logs.Lines.Count(line => line.Contains($"Tip {entry.RowKey} will be retried", StringComparison.Ordinal));
        Assert.Equal(3, retries);
        await Eventually.HoldsAsync(async () => (await host.PoisonQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "an empty poison queue");
        Assert.Null(await TipJourneyTests.FirstAsync(host.Tips.QueryAsync<TableEntity>()));
        Assert.DoesNotContain(marker, host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_unreachable_at_submit_answers_503_with_Retry_After_and_never_202()
    {
        var azurite = await AzuriteProcess.StartAsync(["doomed"], location: null);
        await using var host = await TestHost.StartAsync(connectionString: azurite.ConnectionString("doomed"));
        var jwe = await TestTips.EncryptAsync(host.Http, TestTips.ValidTipJson(TestTips.NewMarker()));

        await azurite.DisposeAsync();
        Assert.True(azurite.HasExited);
        using var response = await TestTips.PostAsync(host.Http, jwe);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:tipintake:problem:unavailable", problem.GetProperty("type").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
    }
}
