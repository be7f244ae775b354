using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TipIntake.Infrastructure;
using TipIntake.Infrastructure.Storage;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests;

/// <summary>
/// The local host started in this process on a port the OS picks, running the real worker in a child process, with its
/// own storage account, captured logs (the host's own and every log line of the worker, which arrive in the host's
/// logging), and queue settings that make retries quick (overridden the way the Functions host allows:
/// AzureFunctionsJobHost__…). The app's services live in the worker; <see cref="App"/> is a second set of them over
/// the same storage and settings, for seeding and reading as another instance of the app would.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    /// <summary>
    /// Turns on the processor's Debug lines, the only ones that name a tip id (shipped lines never do: with their
    /// timestamp they would date a tip's arrival), for tests that follow one tip through the logs.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ProcessorDebug = new Dictionary<string, string>
    {
        // The worker writes them; the host lets them through for the queue functions (host.json keeps them at Information).
        ["Logging:LogLevel:TipIntake.Core.Processing"] = "Debug",
        ["AzureFunctionsJobHost:logging:logLevel:Function.ProcessTip.User"] = "Debug",
        ["AzureFunctionsJobHost:logging:logLevel:Function.ProcessBulkTip.User"] = "Debug",
        ["AzureFunctionsJobHost:logging:logLevel:Function.QuarantinePoison.User"] = "Debug",
        ["AzureFunctionsJobHost:logging:logLevel:Function.QuarantineBulkPoison.User"] = "Debug",
    };

    /// <summary>One development key for the run, outside the repository.</summary>
    public static readonly string KeyFolder = Path.Combine(Path.GetTempPath(), $"tipintake-tests-{Environment.ProcessId}");

    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly string _environment;
    private readonly IAsyncDisposable[] _owned;
    private readonly Lazy<ServiceProvider> _app;

    private TestHost(LocalHost.LocalHost host, string connectionString, CapturedLogs logs, IReadOnlyDictionary<string, string> settings, string environment, IAsyncDisposable[] owned)
    {
        Host = host;
        ConnectionString = connectionString;
        Logs = logs;
        _settings = settings;
        _environment = environment;
        _owned = owned;
        _app = new Lazy<ServiceProvider>(BuildApp);
        Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public LocalHost.LocalHost Host { get; }

    public string ConnectionString { get; }

    public CapturedLogs Logs { get; }

    public HttpClient Http { get; }

    /// <summary>The app's services (stores, receipts, retention) over this host's storage and settings, outside the worker.</summary>
    public IServiceProvider App => _app.Value;

    public QueueClient InboundQueue => Queue(StorageNames.InboundQueue);

    public QueueClient PoisonQueue => Queue(StorageNames.PoisonQueue);

    public QueueClient BulkQueue => Queue(StorageNames.BulkQueue);

    public TableClient Tips => new TableServiceClient(ConnectionString).GetTableClient(StorageNames.TipsTable);

    public TableClient Quarantine => new TableServiceClient(ConnectionString).GetTableClient(StorageNames.QuarantineTable);

    /// <param name="configureServices">Replaces services of the local host itself (WebJobs, its logging); the app's run in the worker.</param>
    /// <param name="settings">App settings, for the host and the worker alike (the worker gets them as environment variables).</param>
    /// <param name="connectionString">The storage the host and the worker use; a fresh Azurite account when null.</param>
    /// <param name="owned">Test servers to stop with the host (a fake network, a storage proxy).</param>
    public static async Task<TestHost> StartAsync(
        Action<IServiceCollection>? configureServices = null,
        IReadOnlyDictionary<string, string>? settings = null,
        string? connectionString = null,
        string environment = "Development",
        params IAsyncDisposable[] owned)
    {
        connectionString ??= await SharedAzurite.NewAccountAsync();
        var values = new Dictionary<string, string>
        {
            [StorageNames.Connection] = connectionString,
            ["LocalDevelopmentKey:Folder"] = KeyFolder,
            ["Intake:ReceiptPepper"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Triage:IndexKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Intake:RetryAfter"] = "00:00:07",
            ["AzureFunctionsJobHost:extensions:queues:maxPollingInterval"] = "00:00:00.200",
            ["AzureFunctionsJobHost:extensions:queues:visibilityTimeout"] = "00:00:00",

            // Tests submit far faster than reporters do; only the flood-control tests let the floor rise.
            ["FloodControl:TargetAcceptedPerSecond"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        var args = new List<string> { "--urls", "http://127.0.0.1:0", "--environment", environment };
        args.AddRange(values.Select(pair => $"--{pair.Key}={pair.Value}"));
        var logs = new CapturedLogs();
        try
        {
            var host = await TipIntake.LocalHost.LocalHost.StartAsync(args.ToArray(), services =>
            {
                services.AddSingleton<ILoggerProvider>(logs);
                configureServices?.Invoke(services);
            });
            var started = new TestHost(host, connectionString, logs, values, environment, owned);

            // The worker creates its queues and tables in a hosted service that may still be running when it reports
            // its functions loaded; tests that seed storage at once must not race it (creating them is idempotent).
            try
            {
                await ActivatorUtilities.CreateInstance<StorageInitializer>(started.App).StartAsync(CancellationToken.None);
            }
            catch
            {
                await started.DisposeAsync();
                throw;
            }

            return started;
        }
        catch
        {
            foreach (var server in owned)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// A host whose intake key is in <paramref name="vault"/>, which the worker reaches through the real Key Vault client
    /// over HTTPS (a <see cref="FakeAzureNetwork"/>), with a token from the managed identity endpoint the network serves.
    /// </summary>
    public static async Task<TestHost> StartWithKeyVaultAsync(
        FakeKeyVault vault,
        IReadOnlyDictionary<string, string>? settings = null,
        Action<IServiceCollection>? configureServices = null,
        string? connectionString = null,
        string environment = "Development",
        FakeEntraId? entra = null,
        params IAsyncDisposable[] owned)
    {
        ArgumentNullException.ThrowIfNull(vault);
        var network = await FakeAzureNetwork.StartAsync(vault, entra);
        var values = new Dictionary<string, string>(network.WorkerSettings)
        {
            ["KeyVault:VaultUri"] = vault.VaultUri.ToString(),
            ["KeyVault:KeyName"] = vault.KeyName,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        return await StartAsync(configureServices, values, connectionString, environment, [network, .. owned]);
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

    /// <summary>
    /// Polls the captured logs for a line: the worker's log lines travel to the host's logging over gRPC, so one may
    /// arrive just after the effect a test saw in storage.
    /// </summary>
    public Task WaitForLogAsync(Func<string, bool> line, string what) =>
        Eventually.HoldsAsync(() => Task.FromResult(Logs.Lines.Any(line)), what);

    /// <summary>Polls until <c>tips-inbound</c> holds no message, visible or not (every delivery processed).</summary>
    public Task WaitUntilInboundIsEmptyAsync() => Eventually.HoldsAsync(
        async () => (await InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
        "every message of the inbound queue processed");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        if (_app.IsValueCreated)
        {
            await _app.Value.DisposeAsync();
        }

        foreach (var server in _owned)
        {
            await server.DisposeAsync();
        }
    }

    private QueueClient Queue(string name) =>
        new QueueServiceClient(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(name);

    private ServiceProvider BuildApp()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_settings!).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.AddProvider(Logs));
        services.AddTipIntake(configuration, new AppEnvironment(_environment));
        return services.BuildServiceProvider();
    }

    private sealed class AppEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "TipIntake.Functions";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
