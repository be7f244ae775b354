using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;

namespace TipIntake.Infrastructure.Tests.Support;

/// <summary>
/// Replays an Azure SDK test-proxy recording (<c>{"Entries":[…],"Variables":{…}}</c>) as a Key Vault. A request
/// without Authorization gets the recording's 401 challenge; an authorised one gets the recorded answer of the entry
/// with the same method and path (the api-version is not compared), after its body has been compared to the recorded
/// request body as JSON. Anything that does not match is noted in <see cref="Mismatches"/> and answered with 400.
/// </summary>
internal sealed class RecordingReplayHandler : HttpMessageHandler
{
    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Length", "Content-Type", "Expires", "Content-Encoding", "Content-Language", "Last-Modified",
    };

    private readonly Lock _gate = new();
    private readonly List<SeenRequest> _requests = [];
    private readonly List<string> _mismatches = [];

    private RecordingReplayHandler(string name, JsonArray entries, Uri vaultUri)
    {
        Name = name;
        Entries = entries;
        VaultUri = vaultUri;
    }

    public string Name { get; }

    public JsonArray Entries { get; }

    /// <summary>The recording's <c>AZURE_KEYVAULT_URL</c>.</summary>
    public Uri VaultUri { get; }

    /// <summary>The recorded 401 answer to the first request, which carries the bearer challenge.</summary>
    public JsonObject Challenge => Entries.OfType<JsonObject>().First(e => (int)e["StatusCode"]! == 401);

    /// <summary>The recorded <c>WWW-Authenticate</c> value of <see cref="Challenge"/>.</summary>
    public string ChallengeHeader => (string)Challenge["ResponseHeaders"]!["WWW-Authenticate"]!;

    public IReadOnlyList<SeenRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<string> Mismatches
    {
        get
        {
            lock (_gate)
            {
                return [.. _mismatches];
            }
        }
    }

    public static RecordingReplayHandler Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "KeyVault", fileName);
        var root = JsonNode.Parse(File.ReadAllText(path, Encoding.UTF8))!.AsObject();
        var vault = new Uri((string)root["Variables"]!["AZURE_KEYVAULT_URL"]!);
        return new RecordingReplayHandler(fileName, root[nameof(Entries)]!.AsArray(), vault);
    }

    public HttpPipelineTransport Transport() => new HttpClientTransport(new HttpClient(this, disposeHandler: false));

    /// <summary>The recorded authorised entry for <paramref name="method"/> and <paramref name="path"/>.</summary>
    public JsonObject Entry(string method, string path) => FindAuthorised(method, path)
        ?? throw new InvalidOperationException($"{Name} has no authorised {method} {path}.");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var authorization = request.Headers.Authorization?.ToString();
        var uri = request.RequestUri!;
        lock (_gate)
        {
            _requests.Add(new SeenRequest(request.Method.Method, uri.AbsolutePath, uri.Query, authorization, body));
        }

        if (!string.Equals(uri.Host, VaultUri.Host, StringComparison.OrdinalIgnoreCase) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return Mismatch($"request to {uri.Scheme}://{uri.Host}, the recording's vault is {VaultUri.Host}");
        }

        if (authorization is null)
        {
            return Answer(Challenge);
        }

        var entry = FindAuthorised(request.Method.Method, uri.AbsolutePath);
        if (entry is null)
        {
            return Mismatch($"no recorded authorised {request.Method.Method} {uri.AbsolutePath}");
        }

        var recorded = entry["RequestBody"];
        JsonNode? actual;
        try
        {
            actual = string.IsNullOrEmpty(body) ? null : JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return Mismatch($"{request.Method.Method} {uri.AbsolutePath}: body is not JSON: {body}");
        }

        if (!JsonNode.DeepEquals(recorded, actual))
        {
            return Mismatch($"{request.Method.Method} {uri.AbsolutePath}: body {actual?.ToJsonString() ?? "(none)"} differs from the recorded {recorded?.ToJsonString() ?? "(none)"}");
        }

        return Answer(entry);
    }

    private JsonObject? FindAuthorised(string method, string path) => Entries.OfType<JsonObject>().FirstOrDefault(e =>
        (string)e["RequestMethod"]! == method
        && new Uri((string)e["RequestUri"]!).AbsolutePath == path
        && e["RequestHeaders"]!.AsObject().ContainsKey("Authorization"));

    private static HttpResponseMessage Answer(JsonObject entry)
    {
        var headers = entry["ResponseHeaders"]!.AsObject();
        var contentType = headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;
        var body = entry["ResponseBody"];
        var response = new HttpResponseMessage((HttpStatusCode)(int)entry["StatusCode"]!)
        {
            // The recorder pretty-printed the body; the recorded Content-Length belongs to the compact original.
            Content = new ByteArrayContent(body is null ? [] : Encoding.UTF8.GetBytes(body.ToJsonString())),
        };
        if (contentType is not null)
        {
            response.Content.Headers.TryAddWithoutValidation("Content-Type", (string)contentType!);
        }

        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var added = ContentHeaders.Contains(name)
                ? response.Content.Headers.TryAddWithoutValidation(name, (string)value!)
                : response.Headers.TryAddWithoutValidation(name, (string)value!);
            if (!added)
            {
                throw new InvalidOperationException($"Could not replay the header {name}.");
            }
        }

        return response;
    }

    private HttpResponseMessage Mismatch(string what)
    {
        lock (_gate)
        {
            _mismatches.Add(what);
        }

        return new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = new StringContent("""{"error":{"code":"ReplayMismatch","message":"The request does not match the recording."}}""", Encoding.UTF8, "application/json"),
        };
    }

    /// <summary>A request as the replay saw it.</summary>
    internal sealed record SeenRequest(string Method, string Path, string Query, string? Authorization, string? Body);
}
