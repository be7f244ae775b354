using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.Timers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TipIntake.Functions;
using TipIntake.Infrastructure;
using TipIntake.Infrastructure.Keys;
using TipIntake.Infrastructure.Storage;
using TipIntake.LocalHost.Azurite;
using TipIntake.LocalHost.Hosting;

namespace TipIntake.LocalHost;

/// <summary>
/// The Functions app run without the Functions host: its HTTP functions on Kestrel, its queue and timer functions on the
/// WebJobs SDK, the registration from <see cref="TipIntakeServiceCollectionExtensions.AddTipIntake"/>, and — when no
/// <c>AzureWebJobsStorage</c> is configured — an Azurite of its own.
/// </summary>
public sealed class LocalHost : IAsyncDisposable
{
    public const string LocalAccount = "tipintakelocal";

    private readonly WebApplication _app;
    private readonly AzuriteProcess? _azurite;

    private LocalHost(WebApplication app, AzuriteProcess? azurite)
    {
        _app = app;
        _azurite = azurite;
    }

    public IServiceProvider Services => _app.Services;

    /// <summary>The first address Kestrel listens on (with <c>--urls http://127.0.0.1:0</c>, the port it picked).</summary>
    public Uri BaseAddress => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public IReadOnlyList<ServedFunction> ServedFunctions => _app.Services.GetRequiredService<FunctionCatalog>().Functions;

    /// <summary>Builds and starts the host. <paramref name="configureServices"/> runs last, so tests can replace a service.</summary>
    public static async Task<LocalHost> StartAsync(
        string[] args, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var hostJson = HostJsonSettings.Load(Path.Combine(AppContext.BaseDirectory, "host.json"), builder.Configuration);
        builder.Host.ConfigureWebJobs(webJobs =>
        {
            webJobs.AddAzureStorageCoreServices();
            webJobs.AddAzureStorageQueues(hostJson.ApplyTo);

            // Timers take a blob lease on the host storage (AddAzureStorageCoreServices) so one instance runs each
            // occurrence. Their schedule status is kept in memory: see InMemoryScheduleMonitor for why.
            webJobs.AddTimers();
            webJobs.Services.RemoveAll<ScheduleMonitor>();
            webJobs.Services.AddSingleton<ScheduleMonitor, InMemoryScheduleMonitor>();
        });

        // After ConfigureWebJobs, which adds its own configuration sources: this must win over them.
        AzuriteProcess? azurite = null;
        if (!IsStorageConfigured(builder.Configuration))
        {
            azurite = await AzuriteProcess.StartAsync([LocalAccount], Path.Combine(LocalState.DefaultFolder(), "azurite"), cancellationToken);
            builder.Configuration.AddInMemoryCollection([new(StorageNames.Connection, azurite.ConnectionString(LocalAccount))]);
        }

        try
        {
            var catalog = new FunctionCatalog();
            builder.Services.AddSingleton(catalog);
            builder.Services.AddTipIntakeApp(builder.Configuration, builder.Environment);
            builder.Services.AddFunctionClasses(FunctionClasses.Assembly);
            builder.Services.AddSingleton<ITypeLocator>(new ExplicitTypeLocator(typeof(QueueFunctionAdapters), typeof(TimerFunctionAdapters)));
            configureServices?.Invoke(builder.Services);

            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;

                // Kestrel waits 30 s for slow request headers (slowloris) by default; 5 s is ample for any real client here.
                // Slow bodies are already cut off by MinRequestBodyDataRate (240 B/s after a 5 s grace).
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            });

            var app = builder.Build();
            app.UseStatusCodePages(ProblemStatusPages.WriteAsync);
            app.MapHttpFunctions(FunctionClasses.Assembly, hostJson.RoutePrefix, catalog);
            app.MapDevelopmentSignIn();
            foreach (var webJobsFunction in QueueFunctionAdapters.Describe().Concat(TimerFunctionAdapters.Describe()))
            {
                catalog.Add(webJobsFunction);
            }

            await app.StartAsync(cancellationToken);
            return new LocalHost(app, azurite);
        }
        catch
        {
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
                await _app.StopAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is AggregateException or Azure.RequestFailedException or HttpRequestException)
            {
                // Storage gone at shutdown (an outage, or a test that stopped Azurite): WebJobs cannot release its
                // blob leases. They expire by themselves; stopping must still finish.
                stoppedCleanly = false;
                Log.StopWithoutStorage(_app.Logger, ex.GetType().Name);
            }

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
}
