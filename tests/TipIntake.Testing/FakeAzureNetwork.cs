using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace TipIntake.Testing;

/// <summary>
/// The fakes of what cannot run here (Key Vault, Entra ID, the managed identity endpoint) as network servers that a
/// worker process reaches through configuration alone, under their real names:
/// <list type="bullet">
/// <item>an HTTPS server on loopback that answers each host name with its fake (a <see cref="FakeKeyVault"/> at
/// <c>*.vault.azure.net</c>, a <see cref="FakeEntraId"/> at <c>login.microsoftonline.com</c>), with a certificate
/// from <see cref="TestCertificateAuthority"/>;</item>
/// <item>an HTTP CONNECT proxy in front of it (<c>HTTPS_PROXY</c>), which tunnels those names, and only those, to it;</item>
/// <item>the App Service managed identity endpoint (<c>IDENTITY_ENDPOINT</c>, <c>IDENTITY_HEADER</c>), the protocol
/// <c>ManagedIdentityCredential</c> speaks, issuing the vault's token for the resource asked for.</item>
/// </list>
/// <see cref="WorkerSettings"/> is what the worker's environment needs to use them.
/// </summary>
public sealed class FakeAzureNetwork : IAsyncDisposable
{
    private readonly WebApplication _https;
    private readonly WebApplication _identity;
    private readonly TcpListener _proxy;
    private readonly CancellationTokenSource _stop = new();
    private readonly IReadOnlyDictionary<string, HttpMessageHandler> _hosts;
    private readonly string _identityHeader = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly ConcurrentQueue<string> _refusedTunnels = new();
    private readonly Task _proxying;

    private FakeAzureNetwork(
        WebApplication https, WebApplication identity, TcpListener proxy, IReadOnlyDictionary<string, HttpMessageHandler> hosts, FakeTokenCredential? credential)
    {
        _https = https;
        _identity = identity;
        _proxy = proxy;
        _hosts = hosts;
        Credential = credential;
        _proxying = AcceptAsync();
    }

    /// <summary>The credential whose token the identity endpoint hands out (and records the requests of).</summary>
    public FakeTokenCredential? Credential { get; }

    /// <summary>CONNECT requests for names this network does not serve, refused (a worker reaching for the internet).</summary>
    public IReadOnlyCollection<string> RefusedTunnels => _refusedTunnels;

    /// <summary>Environment variables for the worker: the proxy, the test CA, the managed identity endpoint.</summary>
    public IReadOnlyDictionary<string, string> WorkerSettings => new Dictionary<string, string>
    {
        ["HTTPS_PROXY"] = $"http://127.0.0.1:{((IPEndPoint)_proxy.LocalEndpoint).Port}",
        ["NO_PROXY"] = "127.0.0.1,localhost",
        ["SSL_CERT_FILE"] = TestCertificateAuthority.TrustBundlePath,
        ["IDENTITY_ENDPOINT"] = _identity.Urls.First().TrimEnd('/') + "/msi/token",
        ["IDENTITY_HEADER"] = _identityHeader,
    };

    /// <summary>Serves <paramref name="vault"/> (and its credential's tokens) and, if given, <paramref name="entra"/>.</summary>
    public static Task<FakeAzureNetwork> StartAsync(FakeKeyVault? vault = null, FakeEntraId? entra = null)
    {
        var hosts = new Dictionary<string, HttpMessageHandler>(StringComparer.OrdinalIgnoreCase);
        if (vault is not null)
        {
            hosts[vault.VaultUri.Host] = vault;
        }

        if (entra is not null)
        {
            hosts[FakeEntraId.Instance.Host] = entra;
        }

        return StartAsync(hosts, vault?.Credential);
    }

    private static async Task<FakeAzureNetwork> StartAsync(Dictionary<string, HttpMessageHandler> hosts, FakeTokenCredential? credential)
    {
        var certificate = TestCertificateAuthority.Issue(hosts.Count == 0 ? ["unused.invalid"] : hosts.Keys);
        var https = Server(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        https.Run(context => ForwardToFakeAsync(context, hosts));
        var identity = Server(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        FakeAzureNetwork? network = null;
        identity.Run(context => network!.IssueTokenAsync(context));
        await https.StartAsync();
        await identity.StartAsync();
        var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        network = new FakeAzureNetwork(https, identity, proxy, hosts, credential);
        return network;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _proxy.Stop();
        await _proxying;
        await _https.DisposeAsync();
        await _identity.DisposeAsync();
        _stop.Dispose();
    }

    private static WebApplication Server(Action<KestrelServerOptions> listen)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(listen);
        return builder.Build();
    }

    /// <summary>The request as the fake's <see cref="HttpMessageHandler"/> sees it, under the name the client asked for.</summary>
    private static async Task ForwardToFakeAsync(HttpContext context, Dictionary<string, HttpMessageHandler> hosts)
    {
        var host = context.Request.Host.Host;
        if (!hosts.TryGetValue(host, out var handler))
        {
            context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), $"https://{host}{context.Request.Path}{context.Request.QueryString}");
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length > 0 || HttpMethods.IsPost(context.Request.Method))
        {
            request.Content = new ByteArrayContent(body.ToArray());
            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (!name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) && !name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        using var response = await invoker.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>
    /// <c>GET {IDENTITY_ENDPOINT}?resource=…&amp;api-version=2019-08-01</c> with <c>X-IDENTITY-HEADER</c>, answered as App
    /// Service does: <c>{"access_token","expires_on","resource","token_type"}</c>.
    /// </summary>
    private async Task IssueTokenAsync(HttpContext context)
    {
        var resource = context.Request.Query["resource"].ToString();
        if (Credential is null || context.Request.Path != "/msi/token" || context.Request.Headers["X-IDENTITY-HEADER"] != _identityHeader || resource.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var token = await Credential.GetTokenAsync(new Azure.Core.TokenRequestContext([resource.TrimEnd('/') + "/.default"]), context.RequestAborted);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["access_token"] = token.Token,
            ["expires_on"] = token.ExpiresOn.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = "00000000-0000-0000-0000-000000000000",
        }.ToJsonString(), context.RequestAborted);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _proxy.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = TunnelAsync(client);
        }
    }

    /// <summary>One CONNECT: the tunnel to the HTTPS server when the name is served here, 403 otherwise.</summary>
    private async Task TunnelAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var head = await ReadHeadAsync(stream);
                var target = head.Split(' ') is ["CONNECT", var authority, ..] ? authority : null;
                var host = target?.Split(':')[0];
                if (host is null || !_hosts.ContainsKey(host) || !target!.EndsWith(":443", StringComparison.Ordinal))
                {
                    _refusedTunnels.Enqueue(target ?? head.Split('\r')[0]);
                    await stream.WriteAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
                    return;
                }

                using var upstream = new TcpClient();
                await upstream.ConnectAsync(IPAddress.Loopback, new Uri(_https.Urls.First()).Port, _stop.Token);
                await stream.WriteAsync("HTTP/1.1 200 Connection Established\r\n\r\n"u8.ToArray(), _stop.Token);
                var server = upstream.GetStream();
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = stream.CopyToAsync(server, done.Token);
                var down = server.CopyToAsync(stream, done.Token);
                await Task.WhenAny(up, down);
                await done.CancelAsync();
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Either side went away: the tunnel ends.
            }
        }
    }

    private async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (head.Length < 8192 && !head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer, _stop.Token) == 0)
            {
                break;
            }

            head.Append((char)buffer[0]);
        }

        return head.ToString();
    }
}
