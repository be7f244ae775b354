using System.Net;
using System.Text.Json;

namespace TipIntake.IntegrationTests.Worker;

/// <summary>
/// The language-worker protocol as the local host speaks it, pinned end to end with the real worker: start stream,
/// init, worker-indexed metadata, one load per function, one HTTP invocation (forwarded with x-ms-invocation-id),
/// one queue invocation (ModelBindingData), and a clean stop (WorkerTerminate, exit code 0). A worker package bump
/// that changes any step fails here first, loudly.
/// </summary>
public sealed class WorkerProtocolTests
{
    [Fact]
    public async Task Real_worker_initialises_indexes_loads_answers_one_HTTP_and_one_queue_invocation_and_stops_cleanly()
    {
        var host = await TestHost.StartAsync();
        int? processId;
        try
        {
            var worker = host.Host.Worker;
            processId = worker.ProcessId;
            Assert.NotNull(processId);
            using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(worker.App.Directory, "functions.metadata")));
            Assert.Equal(
                metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("name").GetString()!).Order(),
                worker.Functions.Select(f => f.Name).Order());
            Assert.All(worker.Functions, f => Assert.False(string.IsNullOrEmpty(f.Id)));
            Assert.Contains(host.Logs.Lines, line => line.Contains($"Functions worker {processId} ready", StringComparison.Ordinal));

            // One HTTP invocation: IntakeKey answers from the worker.
            var jwk = await TestTips.GetIntakeKeyAsync(host.Http);
            Assert.Equal("RSA-OAEP-256", jwk.GetProperty("alg").GetString());

            // One queue invocation: a message put on tips-inbound is bound as a QueueMessage by ProcessTip and stored.
            var marker = TestTips.NewMarker();
            using var accepted = await TestTips.PostAsync(host.Http, TestTips.Encrypt(jwk, System.Text.Encoding.UTF8.GetBytes(TestTips.ValidTipJson(marker))));
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            await host.WaitForTipAsync(marker);
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.Contains(host.Logs.Lines, line => line.Contains($"Functions worker {processId} stopped (exit code 0)", StringComparison.Ordinal));
        Assert.False(Directory.Exists($"/proc/{processId}") && OperatingSystem.IsLinux(), "The worker process is still there.");
    }
}
