using System.Net;
using System.Text.Json;

namespace TipIntake.IntegrationTests;

/// <summary>What intake puts on <c>tips-inbound</c>, read back from Azurite with processing switched off.</summary>
public sealed class QueueMessageTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync(
        settings: new Dictionary<string, string> { ["AzureWebJobs.ProcessTip.Disabled"] = "true" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Accepted_tip_waits_on_the_queue_without_an_expiry_as_a_v1_envelope_naming_nothing_about_the_sender_but_its_effort()
    {
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson("waiting while processing is stopped"));

        using var response = await TestTips.PostAsync(_host.Http, jwe);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var message = Assert.Single((await _host.InboundQueue.PeekMessagesAsync(maxMessages: 32)).Value);

        // The queue's default is seven days: a tip still waiting then (processing stopped for a week) would vanish.
        Assert.Equal(DateTimeOffset.MaxValue.Year, message.ExpiresOn!.Value.Year);
        using var envelope = JsonDocument.Parse(message.Body.ToMemory());
        Assert.Equal(["v", "tipId", "receivedHour", "receiptHash", "jwe", "effort"], envelope.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(jwe, envelope.RootElement.GetProperty("jwe").GetString());
        // The effort the stamp achieved (leading zero bits), by which processing orders work (contract 3).
        Assert.InRange(envelope.RootElement.GetProperty("effort").GetInt32(), 0, 256);
    }
}
