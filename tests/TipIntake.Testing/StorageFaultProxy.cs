using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace TipIntake.Testing;

/// <summary>
/// A programmable HTTP proxy between a worker and Azurite, for storage failures a test needs at an exact moment: the
/// worker is given <see cref="ConnectionString"/>, whose endpoints are this proxy's ports (Shared Key signatures do not
/// cover the host, so they stay valid), and each request is forwarded unchanged unless a <see cref="StorageFault"/>
/// matches it: then it fails with a storage error, or is sent twice (the at-least-once delivery a queue may do).
/// </summary>
public sealed class StorageFaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<StorageFault> _faults = [];
    private readonly Lock _gate = new();

    private StorageFaultProxy(WebApplication app, string connectionString)
    {
        _app = app;
        ConnectionString = connectionString;
    }

    /// <summary>The Azurite connection string, with every endpoint through this proxy.</summary>
    public string ConnectionString { get; }

    public static async Task<StorageFaultProxy> StartAsync(string azuriteConnectionString)
    {
        ArgumentNullException.ThrowIfNull(azuriteConnectionString);
        var parts = azuriteConnectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        var services = new[] { "BlobEndpoint", "QueueEndpoint", "TableEndpoint" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHttpForwarder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            foreach (var _ in services)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        StorageFaultProxy? proxy = null;
        var upstreams = new Dictionary<int, Uri>();
        app.Run(context => proxy!.HandleAsync(context, upstreams[context.Connection.LocalPort]));
        await app.StartAsync();

        var ports = app.Urls.Select(url => new Uri(url).Port).ToList();
        var rewritten = new Dictionary<string, string>(parts, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < services.Length; i++)
        {
            var endpoint = new Uri(parts[services[i]]);
            upstreams[ports[i]] = new Uri(endpoint.GetLeftPart(UriPartial.Authority));
            rewritten[services[i]] = $"http://127.0.0.1:{ports[i]}{endpoint.AbsolutePath}";
        }

        proxy = new StorageFaultProxy(app, string.Join(';', rewritten.Select(pair => $"{pair.Key}={pair.Value}")) + ";");
        return proxy;
    }

    /// <summary>Adds a fault; the first enabled one that matches a request decides what happens to it.</summary>
    public StorageFault Add(StorageFault fault)
    {
        lock (_gate)
        {
            _faults.Add(fault);
        }

        return fault;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context, Uri upstream)
    {
        StorageFault? fault;
        lock (_gate)
        {
            fault = _faults.FirstOrDefault(f => f.Enabled && f.Matches(context.Request));
        }

        var applies = fault?.Count() == true;
        if (applies && fault!.Kind == StorageFaultKind.Fail)
        {
            context.Response.StatusCode = (int)fault.Status;
            context.Response.Headers["x-ms-error-code"] = fault.ErrorCode;
            return;
        }

        var forwarder = context.RequestServices.GetRequiredService<IHttpForwarder>();
        using var client = new HttpMessageInvoker(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false });
        if (applies && fault!.Kind == StorageFaultKind.Duplicate)
        {
            context.Request.EnableBuffering();
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            fault.Duplicated(body.ToArray());
            context.Request.Body.Position = 0;
            using var copy = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(upstream, context.Request.Path + context.Request.QueryString))
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            foreach (var (name, values) in context.Request.Headers)
            {
                if (!copy.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                {
                    copy.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }

            copy.Headers.Host = null;
            using var first = await client.SendAsync(copy, context.RequestAborted);
            context.Request.Body.Position = 0;
        }

        await forwarder.SendAsync(context, upstream.ToString(), client);
    }
}

public enum StorageFaultKind
{
    /// <summary>Answer with <see cref="StorageFault.Status"/> and <see cref="StorageFault.ErrorCode"/> without forwarding.</summary>
    Fail,

    /// <summary>Forward the request twice (the copy first); the client sees the second answer.</summary>
    Duplicate,
}

/// <summary>
/// What to do with the requests <see cref="Matches"/> selects: every <see cref="Every"/>-th one, while <see cref="Enabled"/>,
/// at most <see cref="Limit"/> times.
/// </summary>
public sealed class StorageFault
{
    private readonly Lock _gate = new();
    private readonly List<byte[]> _duplicatedBodies = [];
    private int _seen;
    private int _applied;

    public required Func<HttpRequest, bool> Matches { get; init; }

    public StorageFaultKind Kind { get; init; } = StorageFaultKind.Fail;

    public int Every { get; init; } = 1;

    public HttpStatusCode Status { get; init; } = HttpStatusCode.ServiceUnavailable;

    public string ErrorCode { get; init; } = "ServerBusy";

    public bool Enabled { get; set; } = true;

    /// <summary>After failing or duplicating this many requests, the fault lets every request through.</summary>
    public int Limit { get; init; } = int.MaxValue;

    /// <summary>How many requests it has failed or duplicated.</summary>
    public int Applied => Volatile.Read(ref _applied);

    /// <summary>The bodies of the requests it duplicated.</summary>
    public IReadOnlyList<byte[]> DuplicatedBodies
    {
        get
        {
            lock (_gate)
            {
                return [.. _duplicatedBodies];
            }
        }
    }

    /// <summary>Requests to <paramref name="resource"/> (e.g. <c>tips-inbound/messages</c>, <c>TipEvents</c>) with a method that writes.</summary>
    public static Func<HttpRequest, bool> WritesTo(string resource) => request =>
        request.Method is "POST" or "PUT" or "MERGE" or "PATCH"
        && string.Join('/', (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1)).StartsWith(resource, StringComparison.Ordinal);

    internal bool Count()
    {
        if (Interlocked.Increment(ref _seen) % Every != 0)
        {
            return false;
        }

        if (Interlocked.Increment(ref _applied) <= Limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _applied);
        return false;
    }

    internal void Duplicated(byte[] body)
    {
        lock (_gate)
        {
            _duplicatedBodies.Add(body);
        }
    }
}
