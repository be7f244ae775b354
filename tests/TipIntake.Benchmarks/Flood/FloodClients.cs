using System.Net;
using System.Text.Json;

namespace TipIntake.Benchmarks.Flood;

/// <summary>HTTP clients of the flood benchmark: loopback only, one connection per worker, synchronous calls for dedicated threads.</summary>
public static class FloodClients
{
    public static HttpClient Create(Uri origin, int connections)
    {
        ArgumentNullException.ThrowIfNull(origin);
        if (!IPAddress.IsLoopback(IPAddress.Parse(origin.Host)))
        {
            throw new InvalidOperationException("A flood is only ever sent to loopback.");
        }

        return new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseCookies = false, UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = origin,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>GET and parse JSON on the calling thread (the attackers' threads are their own, not the pool's).</summary>
    public static JsonElement GetJson(HttpClient http, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        using var response = http.Send(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var stream = response.Content.ReadAsStream(cancellationToken);
        return JsonSerializer.Deserialize<JsonElement>(stream);
    }

    /// <summary>GET a page as text on the calling thread.</summary>
    public static string GetText(HttpClient http, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        using var response = http.Send(request, cancellationToken);
        using var reader = new StreamReader(response.Content.ReadAsStream(cancellationToken));
        return reader.ReadToEnd();
    }
}
