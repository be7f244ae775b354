using Azure.Storage.Queues;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Azure.WebJobs.Host;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Infrastructure;
using TipIntake.LocalHost.Hosting;
using TipIntake.LocalHost.Worker;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Benchmarks.Load;

/// <summary>
/// The servers, each run as a child process of the harness (so its CPU and RSS are its own): the local host under
/// test, the floor — a bare endpoint that reads the body and sends it to the same Azurite — and the processing drainers.
/// They print <c>LISTENING &lt;url&gt;</c> once ready and stop when their standard input closes.
/// </summary>
public static class Servers
{
    public const string Ready = "LISTENING ";

    public static async Task<int> ServeIntakeAsync(string[] args)
    {
        await using var host = await TipIntake.LocalHost.LocalHost.StartAsync(args);
        Console.WriteLine(Ready + host.BaseAddress);
        await WaitForStdinCloseAsync();
        return 0;
    }

    /// <summary>args: the storage connection string, then the queue name.</summary>
    public static async Task<int> ServeFloorAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", "http://127.0.0.1:0"] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // The product's own client settings (Base64, two quick retries, a 10-s network timeout per attempt), so that the
        // floor meets a slow Azurite exactly as the intake does.
        var storage = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [StorageNames.Connection] = args[0] })
            .Build();
        await using var clients = new ServiceCollection().AddStorageClients(storage).BuildServiceProvider();
        var queue = clients.GetRequiredService<QueueServiceClient>().GetQueueClient(args[1]);
        await queue.CreateIfNotExistsAsync();
        await using var app = builder.Build();
        app.MapPost("/floor", async (HttpRequest request, CancellationToken cancellationToken) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(cancellationToken);
            await queue.SendMessageAsync(body, cancellationToken);
            return Results.StatusCode(StatusCodes.Status202Accepted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine(Ready + address + "/");
        await WaitForStdinCloseAsync();
        await app.StopAsync();
        return 0;
    }

    /// <summary>
    /// The processing floor as a child process, like the local host it is compared with (cold JIT, its own CPU):
    /// args: the storage connection string, the key folder, the number of tips to drain.
    /// </summary>
    public static async Task<int> ServeDrainFloorAsync(string[] args)
    {
        using var key = TipFactory.Key(args[1]);
        Console.WriteLine(Ready + "http://127.0.0.1:0/");
        await Drain.RawLoopAsync(args[0], key, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMinutes(5));
        await WaitForStdinCloseAsync();
        return 0;
    }

    /// <summary>
    /// The processor in one process: the product's own composition (<c>AddTipIntake</c>, as the worker's Program calls
    /// it) in a plain generic host — no Functions host, no worker, no gRPC — with its hosted services running (storage
    /// set-up, the content index worker, flood control), and <see cref="Drain.ListenerLoopAsync"/> handing each message
    /// of the main lane to <c>TipProcessor</c> as <c>TipQueues</c> does. args: the app settings the local host passes its
    /// worker (<c>--Key=value</c>, and <c>--environment</c>); the queue settings are host.json's, with the same
    /// <c>AzureFunctionsJobHost:…</c> overrides the local host honours.
    /// </summary>
    public static async Task<int> ServeDrainCoreAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddTipIntake(builder.Configuration, builder.Environment);
        var queues = new QueuesOptions();
        HostJsonSettings.Load(FunctionsApp.Locate().HostJsonPath, builder.Configuration).ApplyTo(queues);
        using var host = builder.Build();
        await host.StartAsync();
        var processor = host.Services.GetRequiredService<TipProcessor>();
        var queue = host.Services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.InboundQueue);
        using var stop = new CancellationTokenSource();
        var loop = Drain.ListenerLoopAsync(queue, queues, (message, ct) => processor.ProcessAsync(message, Lane.Main, ct), stop.Token);
        Console.WriteLine(Ready + "http://127.0.0.1:0/");
        await WaitForStdinCloseAsync();
        await stop.CancelAsync();
        await loop;
        await host.StopAsync();
        return 0;
    }

    private static async Task WaitForStdinCloseAsync()
    {
        // Bounded by the parent: it closes stdin when done, and kills the child if it does not stop in time.
        while (await Console.In.ReadLineAsync() is not null)
        {
        }
    }
}
