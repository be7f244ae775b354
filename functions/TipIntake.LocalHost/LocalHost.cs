using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Azure.WebJobs.Host.Timers;
using Microsoft.Azure.WebJobs.Extensions.Timers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TipIntake.Infrastructure.Storage;
using TipIntake.LocalHost.Azurite;
using TipIntake.LocalHost.Hosting;
using TipIntake.LocalHost.Triggers;

// IJobHostMetadataProvider is marked "not ready for public consumption", yet it is how the Functions host itself
// turns binding JSON into extension attributes (GeneralScriptBindingProvider); WebJobs 3.0.48 has no other way.
#pragma warning disable CS0618

namespace TipIntake.LocalHost;

/// <summary>
/// A small Functions host for the real worker (see docs/architecture.md, "Local host"): the Functions app's build output
/// runs in a child process (<see cref="FunctionsWorker"/>); its HTTP functions are served here on the routes its own
/// metadata declares and forwarded to it; its queue and timer functions run on the WebJobs SDK's listeners, each
/// invocation sent to it over gRPC; and — when no <c>AzureWebJobsStorage</c> is configured — an Azurite of its own.
/// </summary>
public sealed partial class LocalHost : IAsyncDisposable
{
    public const string LocalAccount = "tipintakelocal";

    private readonly WebApplication _app;
    private readonly FunctionsWorker _worker;
    private readonly AzuriteProcess? _azurite;

    private LocalHost(WebApplication app, FunctionsWorker worker, AzuriteProcess? azurite, IReadOnlyList<ServedFunction> served)
    {
        _app = app;
        _worker = worker;
        _azurite = azurite;
        ServedFunctions = served;
    }

    /// <summary>The host's own services (WebJobs, logging, the development sign-in); the app's live in the worker.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The first address Kestrel listens on (with <c>--urls http://127.0.0.1:0</c>, the port it picked).</summary>
    public Uri BaseAddress => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>The worker process running the Functions app.</summary>
    public FunctionsWorker Worker => _worker;

    /// <summary>What this host serves: each HTTP function's route, each queue and timer function WebJobs indexed.</summary>
    public IReadOnlyList<ServedFunction> ServedFunctions { get; }

    /// <summary>Builds and starts the host. <paramref name="configureServices"/> runs last, so tests can replace a host-side service.</summary>
    public static async Task<LocalHost> StartAsync(
        string[] args, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        var functionsApp = FunctionsApp.Locate();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var hostJson = HostJsonSettings.Load(functionsApp.HostJsonPath, builder.Configuration);

        // host.json's logging.logLevel filters the worker's logs (and the host's own), as the Functions host applies it.
        builder.Logging.AddConfiguration(hostJson.Logging);
        builder.Host.ConfigureWebJobs(webJobs =>
        {
            webJobs.AddAzureStorageCoreServices();
            webJobs.AddAzureStorageQueues(hostJson.ApplyTo);

            // Timers take a blob lease on the host storage (AddAzureStorageCoreServices) so one instance runs each
            // occurrence. Their schedule status is kept in memory: see InMemoryScheduleMonitor for why.
            webJobs.AddTimers();
            webJobs.Services.RemoveAll<ScheduleMonitor>();
            webJobs.Services.AddSingleton<ScheduleMonitor, InMemoryScheduleMonitor>();
            webJobs.Services.RemoveAll<IWebJobsExceptionHandler>();
            webJobs.Services.AddSingleton<IWebJobsExceptionHandler, StopHostOnUnhandledError>();
        });

        // After ConfigureWebJobs, which adds its own configuration sources: this must win over them.
        AzuriteProcess? azurite = null;
        if (!IsStorageConfigured(builder.Configuration))
        {
            azurite = await AzuriteProcess.StartAsync([LocalAccount], Path.Combine(LocalState.DefaultFolder(), "azurite"), cancellationToken);
            builder.Configuration.AddInMemoryCollection([new(StorageNames.Connection, azurite.ConnectionString(LocalAccount))]);
        }

        FunctionsWorker? worker = null;
        try
        {
            var handle = new WorkerHandle();
            builder.Services.AddSingleton(handle);
            builder.Services.AddHttpForwarder();
            builder.Services.AddSingleton<WorkerRequestForwarder>();
            builder.Services.AddSingleton<WorkerTriggerInvoker>();
            builder.Services.AddSingleton<ITypeLocator, WorkerTypeLocator>();
            if (builder.Environment.IsDevelopment())
            {
                builder.Services.AddOptions<StaffAuthOptions>().BindConfiguration(StaffAuthOptions.SectionName);
                builder.Services.AddSingleton<DevelopmentTokenIssuer>();
            }

            configureServices?.Invoke(builder.Services);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;

                // Kestrel waits 30 s for slow request headers (slowloris) by default; 5 s is ample for any real client here.
                // Slow bodies are already cut off by MinRequestBodyDataRate (240 B/s after a 5 s grace).
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            });

            var app = builder.Build();
            var environment = WorkerEnvironment.For(builder.Configuration, app.Environment, functionsApp);
            if (app.Services.GetService<DevelopmentTokenIssuer>() is { } issuer)
            {
                environment[DevelopmentTokenTrust.SettingName.Replace(":", "__", StringComparison.Ordinal)] = issuer.PublicJwk;
            }

            worker = await FunctionsWorker.StartAsync(functionsApp, environment, app.Services.GetRequiredService<ILoggerFactory>(), cancellationToken);
            handle.Set(worker);
            worker.OnGiveUp(_ => app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication());

            app.UseStatusCodePages(HostProblems.WriteStatusPageAsync);
            var served = app.MapWorkerHttpFunctions(worker.Functions, hostJson.RoutePrefix).ToList();
            app.MapDevelopmentSignIn();
            await app.StartAsync(cancellationToken);

            var extensions = app.Services.GetRequiredService<IJobHostMetadataProvider>();
            served.AddRange(worker.Functions
                .Where(f => !f.IsHttp && extensions.GetFunctionMetadata(f.Name) is not null)
                .Select(f => new ServedFunction(f.Name, f.TriggerType)));
            return new LocalHost(app, worker, azurite, served);
        }
        catch
        {
            if (worker is not null)
            {
                await worker.DisposeAsync();
            }

            if (azurite is not null)
            {
                await azurite.DisposeAsync();
            }

            throw;
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            var stoppedCleanly = true;
            try
            {
                // First the listeners and the HTTP server, so nothing new is sent to the worker; then the worker.
                await _app.StopAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is AggregateException or Azure.RequestFailedException or HttpRequestException)
            {
                // Storage gone at shutdown (an outage, or a test that stopped Azurite): WebJobs cannot release its
                // blob leases. They expire by themselves; stopping must still finish.
                stoppedCleanly = false;
                Log.StopWithoutStorage(_app.Logger, ex.GetType().Name);
            }

            await _worker.DisposeAsync();
            try
            {
                await _app.DisposeAsync();
            }
            catch (InvalidOperationException) when (!stoppedCleanly)
            {
                // After a failed stop WebJobs' timers refuse to be stopped twice; there is nothing left to release.
            }
        }
        finally
        {
            if (_azurite is not null)
            {
                await _azurite.DisposeAsync();
            }
        }
    }

    private static bool IsStorageConfigured(ConfigurationManager configuration)
    {
        var section = configuration.GetSection(StorageNames.Connection);
        return !string.IsNullOrEmpty(section.Value) || !string.IsNullOrEmpty(section["queueServiceUri"]);
    }

    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Warning, "Stopped without reaching storage ({ErrorType}); leases left behind expire by themselves")]
        public static partial void StopWithoutStorage(ILogger logger, string errorType);
    }
}
