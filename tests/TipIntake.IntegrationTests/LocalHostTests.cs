using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TipIntake.Infrastructure.Keys;
using TipIntake.LocalHost.Worker;

namespace TipIntake.IntegrationTests;

/// <summary>The local host serves what the worker declares, with the Functions host's settings, and refuses what it must.</summary>
public sealed class LocalHostTests
{
    [Fact]
    public async Task Every_function_the_worker_declares_is_served_with_the_bindings_of_the_generated_functions_metadata()
    {
        await using var host = await TestHost.StartAsync();
        var worker = host.Host.Worker;
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(worker.App.Directory, "functions.metadata")));
        var declared = metadata.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        var served = host.Host.ServedFunctions.ToDictionary(f => f.Name);

        // The worker's own index (what the local host builds from) is the SDK's functions.metadata, and all of it is served.
        Assert.Equal(declared.Keys.Order(), worker.Functions.Select(f => f.Name).Order());
        Assert.Equal(declared.Keys.Order(), served.Keys.Order());
        foreach (var (name, function) in declared)
        {
            var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            var local = served[name];
            Assert.Equal(trigger.GetProperty("type").GetString(), local.TriggerType);
            if (local.TriggerType == "httpTrigger")
            {
                Assert.Equal(trigger.GetProperty("route").GetString(), local.Route);
                Assert.Equal(
                    trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order(),
                    local.Methods!.Select(m => m.ToUpperInvariant()).Order());

                // The local host has no function keys: every function here must be anonymous, as it is.
                Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
            }
        }
    }

    [Fact]
    public async Task An_error_the_WebJobs_SDK_cannot_hand_to_a_function_is_logged_and_stops_the_host_cleanly()
    {
        // What a timer's singleton lease lost on a stalled machine raises: the SDK's own handler would end the process.
        await using var host = await TestHost.StartAsync();
        var services = host.Host.Services;
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        Assert.False(stopping.IsCancellationRequested);

        await services.GetRequiredService<IWebJobsExceptionHandler>()
            .OnUnhandledExceptionAsync(ExceptionDispatchInfo.Capture(new InvalidOperationException("lease lost (forced by the test)")));

        Assert.True(stopping.IsCancellationRequested);
        Assert.Contains("An error the WebJobs SDK cannot hand to a function (InvalidOperationException): the host is shutting down", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queue_settings_come_from_the_apps_host_json()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string>());
        using var hostJson = JsonDocument.Parse(await File.ReadAllTextAsync(host.Host.Worker.App.HostJsonPath));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");

        var options = host.Host.Services.GetRequiredService<IOptions<QueuesOptions>>().Value;

        Assert.Equal(queues.GetProperty("maxDequeueCount").GetInt32(), options.MaxDequeueCount);
        Assert.Equal(queues.GetProperty("batchSize").GetInt32(), options.BatchSize);
        Assert.Equal(queues.GetProperty("newBatchThreshold").GetInt32(), options.NewBatchThreshold);
        // These two are overridden by TestHost through AzureFunctionsJobHost__… settings, as the Functions host allows.
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.Zero, options.VisibilityTimeout);
    }

    [Fact]
    public async Task Outside_Development_without_Key_Vault_settings_the_worker_refuses_to_start_and_the_host_says_why()
    {
        var failure = await Assert.ThrowsAsync<WorkerStartException>(() => TestHost.StartAsync(environment: "Production"));

        Assert.Contains("KeyVault__VaultUri", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_key_is_RSA_3072_readable_by_its_owner_only_with_a_Key_Vault_style_kid()
    {
        await using var host = await TestHost.StartAsync();
        var jwk = await TestTips.GetIntakeKeyAsync(host.Http);
        var keyFile = Path.Combine(TestHost.KeyFolder, LocalDevelopmentKey.FileName);

        Assert.True(File.Exists(keyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        }
        Assert.Equal(3072 / 8, Jose.Base64Url.Decode(jwk.GetProperty("n").GetString()!).Length);
        Assert.StartsWith($"https://{LocalDevelopmentKey.VaultHost}/keys/{LocalDevelopmentKey.KeyName}/", jwk.GetProperty("kid").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_worker_is_restarted_and_meanwhile_requests_get_a_503_problem_never_a_hang()
    {
        await using var host = await TestHost.StartAsync();
        var first = host.Host.Worker.ProcessId;
        Assert.NotNull(first);

        host.Host.Worker.Kill();
        var during = Stopwatch.StartNew();
        using (var response = await host.Http.GetAsync(new Uri("api/challenge", UriKind.Relative)))
        {
            // Either the restarted worker already answers, or the host says so at once.
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, response.StatusCode.ToString());
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }

        Assert.True(during.Elapsed < TimeSpan.FromSeconds(10), $"The request took {during.Elapsed}.");
        await Eventually.HoldsAsync(
            async () => host.Host.Worker.ProcessId is { } pid && pid != first
                && (await host.Http.GetAsync(new Uri("api/challenge", UriKind.Relative))).StatusCode == HttpStatusCode.OK,
            "a new worker serving");
        Assert.Contains(host.Logs.Lines, line => line.Contains($"Functions worker {first} exited unexpectedly", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requests_no_function_takes_are_answered_by_the_host_with_a_problem_at_once()
    {
        await using var host = await TestHost.StartAsync();

        // The reporter site takes every GET and HEAD ({*path}), so a wrong method anywhere is a 405, not a 404.
        foreach (var (method, path) in new[] { ("DELETE", "/api/tips"), ("POST", "/nowhere"), ("PUT", "/api/intake-key"), ("PATCH", "/submit") })
        {
            var clock = Stopwatch.StartNew();
            using var response = await host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(405, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{method} {path} took {clock.Elapsed}.");
        }
    }
}
