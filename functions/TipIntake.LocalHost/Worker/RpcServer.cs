using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TipIntake.LocalHost.Worker;

/// <summary>
/// The gRPC endpoint workers connect to: Kestrel on a loopback port the OS picks, HTTP/2 without TLS (the worker
/// connects with insecure credentials, as it does to the Functions host). A server of its own, apart from the public
/// one, because the worker must be up — and have said which functions it has — before the public routes and the
/// queue listeners can be built.
/// </summary>
internal sealed class RpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcServer(WebApplication app, Uri uri)
    {
        _app = app;
        Uri = uri;
    }

    public Uri Uri { get; }

    public static async Task<RpcServer> StartAsync(WorkerChannels channels, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Its own logs go to the local host's logging, except where it listens: that is for the worker only, and
        // "Now listening on" belongs to the public server.
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ForwardingLoggerProvider(loggers));
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.None);

        // Stopped by the local host, after the worker: never by Ctrl+C, which would cut the worker off first.
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        builder.Services.AddSingleton(channels);
        builder.Services.AddGrpc(options =>
        {
            // The worker sends whole queue messages and logs; the Functions host sets no practical limit either.
            options.MaxReceiveMessageSize = null;
            options.MaxSendMessageSize = null;
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Urls.First();
        return new RpcServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A host lifetime that neither waits for nor listens to anything: the owner starts and stops the host.</summary>
internal sealed class NoLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Hands every logger to another factory (the local host's), which applies its own filters and providers.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
