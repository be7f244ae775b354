using System.Security.Cryptography;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Storage;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests;

/// <summary>
/// The local host started in this process on a port the OS picks, with its own storage account, captured logs, and
/// queue settings that make retries quick (overridden the way the Functions host allows: AzureFunctionsJobHost__…).
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    /// <summary>One development key for the run, outside the repository.</summary>
    public static readonly string KeyFolder = Path.Combine(Path.GetTempPath(), $"tipintake-tests-{Environment.ProcessId}");

    private TestHost(LocalHost.LocalHost host, string connectionString, CapturedLogs logs)
    {
        Host = host;
        ConnectionString = connectionString;
        Logs = logs;
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public LocalHost.LocalHost Host { get; }

    public string ConnectionString { get; }

    public CapturedLogs Logs { get; }

    public HttpClient Http { get; }

    public QueueClient InboundQueue => Queue(StorageNames.InboundQueue);

    public QueueClient PoisonQueue => Queue(StorageNames.PoisonQueue);

    public TableClient Tips => new TableServiceClient(ConnectionString).GetTableClient(StorageNames.TipsTable);

    public TableClient Quarantine => new TableServiceClient(ConnectionString).GetTableClient(StorageNames.QuarantineTable);

    public static async Task<TestHost> StartAsync(
        Action<IServiceCollection>? configureServices = null,
        IReadOnlyDictionary<string, string>? settings = null,
        string? connectionString = null,
        string environment = "Development")
    {
        connectionString ??= await SharedAzurite.NewAccountAsync();
        var values = new Dictionary<string, string>
        {
            [StorageNames.Connection] = connectionString,
            ["LocalDevelopmentKey:Folder"] = KeyFolder,
            ["Intake:ReceiptSalt"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Triage:IndexKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Intake:RetryAfter"] = "00:00:07",
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200",
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--environment", environment };
        args.AddRange(values.Select(pair => $"--{pair.Key}={pair.Value}"));
        var logs = new CapturedLogs();
        var host = await TipIntake.LocalHost.LocalHost.StartAsync(args.ToArray(), services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            configureServices?.Invoke(services);
        });
        return new TestHost(host, connectionString, logs);
    }

    /// <summary>A host whose intake key is in <paramref name="vault"/>, reached through the real Key Vault client and pipeline.</summary>
    public static Task<TestHost> StartWithKeyVaultAsync(
        FakeKeyVault vault,
        IReadOnlyDictionary<string, string>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        string? connectionString = null)
    {
        var values = new Dictionary<string, string>
        {
            ["KeyVault:VaultUri"] = vault.VaultUri.ToString(),
            ["KeyVault:KeyName"] = vault.KeyName,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        return StartAsync(
            services =>
            {
                services.AddSingleton<TokenCredential>(vault.Credential);
                services.AddSingleton(new KeyVaultKeysClientOptions
                {
                    Transport = vault.Transport(),
                    Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(20), NetworkTimeout = TimeSpan.FromSeconds(10) },
                });
                configureServices?.Invoke(services);
            },
            values,
            connectionString);
    }

    /// <summary>Polls <c>Tips</c> until a tip whose narrative contains <paramref name="marker"/> is there.</summary>
    public async Task<TableEntity> WaitForTipAsync(string marker) => await Eventually.ReturnsAsync(
        async () =>
        {
            await foreach (var tip in Tips.QueryAsync<TableEntity>())
            {
                if (tip.GetString("Narrative")?.Contains(marker, StringComparison.Ordinal) == true)
                {
                    return tip;
                }
            }

            return null;
        },
        "the tip in Tips");

    /// <summary>How many tips in <c>Tips</c> have <paramref name="marker"/> in their narrative.</summary>
    public async Task<int> CountTipsWithAsync(string marker)
    {
        var count = 0;
        await foreach (var tip in Tips.QueryAsync<TableEntity>(select: ["Narrative"]))
        {
            count += tip.GetString("Narrative")?.Contains(marker, StringComparison.Ordinal) == true ? 1 : 0;
        }

        return count;
    }

    /// <summary>How many JWEs wait in the claim-check container of the account behind <paramref name="connectionString"/>.</summary>
    public static async Task<int> CountClaimChecksAsync(string connectionString)
    {
        var count = 0;
        await foreach (var _ in new Azure.Storage.Blobs.BlobServiceClient(connectionString)
            .GetBlobContainerClient(StorageNames.ClaimCheckContainer).GetBlobsAsync())
        {
            count++;
        }

        return count;
    }

    /// <summary>Polls until <c>tips-inbound</c> holds no message, visible or not (every delivery processed).</summary>
    public Task WaitUntilInboundIsEmptyAsync() => Eventually.HoldsAsync(
        async () => (await InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
        "every message of the inbound queue processed");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }

    private QueueClient Queue(string name) =>
        new QueueServiceClient(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(name);
}
