using System.Text.Json;
using Microsoft.Azure.WebJobs.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TipIntake.Infrastructure.Keys;

namespace TipIntake.IntegrationTests;

/// <summary>The local host serves exactly what the Functions host would, with the same settings, and refuses what it must.</summary>
public sealed class LocalHostTests
{
    [Fact]
    public async Task Every_function_in_the_generated_functions_metadata_is_served_by_the_local_host_with_the_same_bindings()
    {
        var metadataPath = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(metadataPath), "The Functions SDK's functions.metadata must be in the build output.");
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(metadataPath));
        await using var host = await TestHost.StartAsync();
        var served = host.Host.ServedFunctions.ToDictionary(f => f.Name);

        var declared = metadata.RootElement.EnumerateArray().ToList();
        Assert.Equal(declared.Count, served.Count);
        foreach (var function in declared)
        {
            var name = function.GetProperty("name").GetString()!;
            Assert.True(served.TryGetValue(name, out var local), $"Function {name} is in functions.metadata but not served by the local host.");
            var trigger = function.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            Assert.Equal(trigger.GetProperty("type").GetString(), local.TriggerType);
            if (local.TriggerType == "httpTrigger")
            {
                Assert.Equal(trigger.GetProperty("route").GetString(), local.Route);
                Assert.Equal(
                    trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order(),
                    local.Methods!.Select(m => m.ToUpperInvariant()).Order());
                Assert.Equal(trigger.GetProperty("authLevel").GetString(), local.AuthLevel);
                Assert.Equal("Anonymous", local.AuthLevel);
            }
            else if (local.TriggerType == "timerTrigger")
            {
                Assert.Equal(trigger.GetProperty("schedule").GetString(), local.Schedule);
                Assert.False(string.IsNullOrEmpty(local.Schedule));
            }
            else
            {
                Assert.Equal("queueTrigger", local.TriggerType);
                Assert.Equal(trigger.GetProperty("queueName").GetString(), local.QueueName);
                Assert.Equal(trigger.GetProperty("connection").GetString(), local.Connection);
            }
        }
    }

    [Fact]
    public async Task Queue_settings_come_from_the_repository_host_json()
    {
        using var hostJson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "host.json")));
        var queues = hostJson.RootElement.GetProperty("extensions").GetProperty("queues");
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string>());

        var options = host.Host.Services.GetRequiredService<IOptions<QueuesOptions>>().Value;

        Assert.Equal(queues.GetProperty("maxDequeueCount").GetInt32(), options.MaxDequeueCount);
        Assert.Equal(queues.GetProperty("batchSize").GetInt32(), options.BatchSize);
        Assert.Equal(queues.GetProperty("newBatchThreshold").GetInt32(), options.NewBatchThreshold);
        // These two are overridden by TestHost through AzureFunctionsJobHost__… settings, as the Functions host allows.
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.Zero, options.VisibilityTimeout);
    }

    [Fact]
    public async Task Outside_Development_without_Key_Vault_settings_the_host_refuses_to_start_with_a_clear_message()
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestHost.StartAsync(environment: "Production"));

        var validation = failure as OptionsValidationException
            ?? Assert.IsType<OptionsValidationException>(Assert.Single(Assert.IsType<AggregateException>(failure).InnerExceptions, e => e is OptionsValidationException));
        Assert.Contains(validation.Failures, message => message.Contains("KeyVault__VaultUri", StringComparison.Ordinal));
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
}
