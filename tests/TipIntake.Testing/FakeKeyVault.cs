using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core.Pipeline;

namespace TipIntake.Testing;

/// <summary>
/// An in-process Key Vault keys endpoint with real RSA keys, faithful to the documented REST contract (api-version
/// 7.5): the bearer challenge for requests without a token, <c>GET /keys/{name}/{version?}</c>,
/// <c>GET /keys/{name}/versions</c> (paged: <c>maxresults</c> up to 25, an absolute <c>nextLink</c> on port 443 with a
/// <c>$skiptoken</c>, as the service writes it), <c>POST /keys/{name}/{version}/unwrapkey</c>, error bodies <c>{"error":{"code","message","innererror"}}</c>,
/// 403 <c>KeyDisabled</c> for a disabled version, 404 <c>KeyNotFound</c>. Faults can be injected per request.
/// </summary>
public sealed class FakeKeyVault : HttpMessageHandler
{
    public const string TenantId = "00000000-0000-4000-8000-00000000c0de";
    private readonly ConcurrentDictionary<string, KeyVersion> _versions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<Fault> _nextFaults = new();
    private readonly string _resource;
    private readonly string? _challengeScope;
    private string _currentVersion = "";

    /// <param name="challengeScope">When set, the bearer challenge names this <c>scope</c> beside the resource.</param>
    public FakeKeyVault(
        FakeTokenCredential credential,
        string vaultHost = "tipintake-test.vault.azure.net",
        string keyName = "intake",
        string resource = "https://vault.azure.net",
        string? challengeScope = null)
    {
        ArgumentNullException.ThrowIfNull(credential);
        Credential = credential;
        VaultUri = new Uri($"https://{vaultHost}/");
        KeyName = keyName;
        _resource = resource;
        _challengeScope = challengeScope;
        AddVersion();
    }

    public FakeTokenCredential Credential { get; }

    public Uri VaultUri { get; }

    public string KeyName { get; }

    /// <summary>Kty in key bundles: "RSA-HSM" as an HSM-backed key reports itself.</summary>
    public string KeyType { get; set; } = "RSA-HSM";

    /// <summary>Added before every answer (to simulate a slow vault).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Versions per page of <c>GET /keys/{name}/versions</c> when the request names no <c>maxresults</c> (the service's is 25).</summary>
    public int VersionsPageSize { get; set; } = 25;

    /// <summary>When set, the next-page links of version lists point at this host instead of the vault's.</summary>
    public string? NextLinkHost { get; set; }

    /// <summary>Answers every matching request with this fault while set (e.g. a vault that always says 403).</summary>
    public Fault? PersistentFault { get; set; }

    /// <summary>When set, <see cref="PersistentFault"/> answers only requests to this operation (e.g. <c>unwrapkey</c>).</summary>
    public string? PersistentFaultOperation { get; set; }

    public string CurrentVersion => _currentVersion;

    public string CurrentKeyId => KeyIdOf(_currentVersion);

    public IReadOnlyCollection<RecordedRequest> Requests => _requests;

    /// <summary>The pipeline transport for a <c>KeyVaultKeysClientOptions</c>.</summary>
    public HttpPipelineTransport Transport() => new HttpClientTransport(new HttpClient(this, disposeHandler: false));

    public string KeyIdOf(string version) => $"https://{VaultUri.Host}/keys/{KeyName}/{version}";

    /// <summary>A new version becomes the current one, as a rotation does.</summary>
    public string AddVersion(int bits = 3072)
    {
        var version = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _versions[version] = new KeyVersion(RSA.Create(bits));
        _order.Enqueue(version);
        _currentVersion = version;
        return version;
    }

    public RSAParameters PublicKeyOf(string version) => _versions[version].Rsa.ExportParameters(includePrivateParameters: false);

    public void SetEnabled(string version, bool enabled) => _versions[version].Enabled = enabled;

    /// <summary>The version's <c>exp</c> attribute (Unix seconds on the wire); null for none.</summary>
    public void SetExpires(string version, DateTimeOffset? expires) => _versions[version].Expires = expires;

    public void Delete(string version) => _versions.TryRemove(version, out _);

    /// <summary>The next <paramref name="count"/> matching requests fail with <paramref name="fault"/>.</summary>
    public void FailNext(Fault fault, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _nextFaults.Enqueue(fault);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var authorization = request.Headers.Authorization;
        _requests.Enqueue(new RecordedRequest(request.Method.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, authorization?.ToString(), body));
        if (Latency > TimeSpan.Zero)
        {
            await Task.Delay(Latency, cancellationToken).ConfigureAwait(false);
        }

        if (request.RequestUri.Scheme != Uri.UriSchemeHttps || request.RequestUri.Host != VaultUri.Host)
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "Wrong vault.");
        }

        if (authorization is null)
        {
            var challenge = Error(HttpStatusCode.Unauthorized, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
            challenge.Headers.WwwAuthenticate.Add(new AuthenticationHeaderValue(
                "Bearer",
                $"authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"{_resource}\""
                    + (_challengeScope is null ? "" : $", scope=\"{_challengeScope}\"")));
            return challenge;
        }

        if (authorization.Scheme != "Bearer" || authorization.Parameter != Credential.Token)
        {
            return Error(HttpStatusCode.Unauthorized, "Unauthorized", "AKV10022: Invalid audience or token.");
        }

        var faulted = PersistentFaultOperation is null
            || request.RequestUri.AbsolutePath.EndsWith("/" + PersistentFaultOperation, StringComparison.OrdinalIgnoreCase);
        if ((faulted ? PersistentFault : null) is { } persistent || _nextFaults.TryDequeue(out persistent))
        {
            return persistent.ToResponse();
        }

        var segments = request.RequestUri.AbsolutePath.Split('/', StringSplitOptions.None);
        if (request.Method == HttpMethod.Get && segments is ["", "keys", _, "versions"])
        {
            return ListVersions(segments[2], request.RequestUri);
        }

        if (request.RequestUri.Query != "?api-version=7.5")
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "The api-version is missing or not supported.");
        }

        return (request.Method.Method, segments) switch
        {
            ("GET", ["", "keys", var name, var version]) when name == KeyName => GetKey(version),
            ("POST", ["", "keys", var name, var version, var operation])
                when name == KeyName && operation.Equals("unwrapkey", StringComparison.OrdinalIgnoreCase) => Unwrap(version, body),
            ("GET" or "POST", ["", "keys", _, ..]) => Error(HttpStatusCode.NotFound, "KeyNotFound", "A key with (name/id) was not found in this key vault."),
            _ => Error(HttpStatusCode.BadRequest, "BadParameter", "Unknown operation."),
        };
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var version in _versions.Values)
            {
                version.Rsa.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private HttpResponseMessage GetKey(string version)
    {
        var id = version.Length == 0 ? _currentVersion : version;
        if (!_versions.TryGetValue(id, out var key))
        {
            return Error(HttpStatusCode.NotFound, "KeyNotFound", $"A key with (name/id) {KeyName}/{version} was not found in this key vault.");
        }

        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        var bundle = new JsonObject
        {
            ["key"] = new JsonObject
            {
                ["kid"] = KeyIdOf(id),
                ["kty"] = KeyType,
                ["key_ops"] = new JsonArray("wrapKey", "unwrapKey", "encrypt", "decrypt"),
                ["n"] = Base64Url(parameters.Modulus!),
                ["e"] = Base64Url(parameters.Exponent!),
            },
            ["attributes"] = new JsonObject
            {
                ["enabled"] = key.Enabled,
                ["created"] = 1764288000,
                ["updated"] = 1764288000,
                ["recoveryLevel"] = "Recoverable",
            },
        };
        if (key.Expires is { } expires)
        {
            bundle["attributes"]!["exp"] = expires.ToUnixTimeSeconds();
        }

        return Json(HttpStatusCode.OK, bundle);
    }

    /// <summary>
    /// <c>GET /keys/{name}/versions?api-version=7.5[&amp;maxresults=n][&amp;$skiptoken=…]</c>: <c>{"value":[{kid,attributes}],
    /// "nextLink":…}</c>, key items without key material, in the order the versions were made.
    /// </summary>
    private HttpResponseMessage ListVersions(string name, Uri uri)
    {
        var query = uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => Uri.UnescapeDataString(pair[0]), pair => pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : "", StringComparer.Ordinal);
        if (query.GetValueOrDefault("api-version") != "7.5" || query.Keys.Any(k => k is not ("api-version" or "maxresults" or "$skiptoken")))
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "The api-version is missing or not supported.");
        }

        var size = VersionsPageSize;
        if (query.TryGetValue("maxresults", out var max) && (!int.TryParse(max, out size) || size is < 1 or > 25))
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "maxresults must be between 1 and 25.");
        }

        var start = 0;
        if (query.TryGetValue("$skiptoken", out var token)
            && (!int.TryParse(Encoding.ASCII.GetString(FromBase64Url(token)), out start) || start < 0))
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "The skip token is invalid.");
        }

        if (name != KeyName)
        {
            return Error(HttpStatusCode.NotFound, "KeyNotFound", $"A key with (name/id) {name} was not found in this key vault.");
        }

        var versions = _order.Where(_versions.ContainsKey).ToList();
        var page = new JsonArray();
        foreach (var version in versions.Skip(start).Take(size))
        {
            page.Add(new JsonObject
            {
                ["kid"] = KeyIdOf(version),
                ["attributes"] = new JsonObject
                {
                    ["enabled"] = _versions[version].Enabled,
                    ["created"] = 1764288000,
                    ["updated"] = 1764288000,
                    ["recoveryLevel"] = "Recoverable",
                },
            });
        }

        var body = new JsonObject { ["value"] = page, ["nextLink"] = null };
        if (start + size < versions.Count)
        {
            var skip = Base64Url(Encoding.ASCII.GetBytes((start + size).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            body["nextLink"] = $"https://{NextLinkHost ?? VaultUri.Host}:443/keys/{KeyName}/versions?api-version=7.5&$skiptoken={skip}&maxresults={size}";
        }

        return Json(HttpStatusCode.OK, body);
    }

    private HttpResponseMessage Unwrap(string version, string? body)
    {
        if (!_versions.TryGetValue(version, out var key))
        {
            return Error(HttpStatusCode.NotFound, "KeyNotFound", $"A key with (name/id) {KeyName}/{version} was not found in this key vault.");
        }

        if (!key.Enabled)
        {
            return Error(HttpStatusCode.Forbidden, "Forbidden", "Operation unwrapKey is not allowed on a disabled key.", "KeyDisabled");
        }

        string? alg = null;
        string? value = null;
        try
        {
            var json = JsonNode.Parse(body ?? "");
            alg = json?["alg"]?.GetValue<string>();
            value = json?["value"]?.GetValue<string>();
        }
        catch (JsonException)
        {
        }

        if (alg != "RSA-OAEP-256" || value is null)
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "Property 'alg' or 'value' is missing or invalid.");
        }

        try
        {
            var unwrapped = key.Rsa.Decrypt(FromBase64Url(value), RSAEncryptionPadding.OaepSHA256);
            return Json(HttpStatusCode.OK, new JsonObject { ["kid"] = KeyIdOf(version), ["value"] = Base64Url(unwrapped) });
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return Error(HttpStatusCode.BadRequest, "BadParameter", "The parameter is incorrect.");
        }
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message, string? innerCode = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null)
        {
            error["innererror"] = new JsonObject { ["code"] = innerCode };
        }

        return Json(status, new JsonObject { ["error"] = error });
    }

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode body) => new(status)
    {
        Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
    }

    private sealed class KeyVersion(RSA rsa)
    {
        public RSA Rsa { get; } = rsa;

        public bool Enabled { get; set; } = true;

        public DateTimeOffset? Expires { get; set; }
    }

    /// <summary>A request as the vault saw it: the <see cref="Authorization"/> is kept only to check it was sent.</summary>
    public sealed record RecordedRequest(string Method, string Path, string Query, string? Authorization, string? Body);

    /// <summary>An injected answer: a status with Key Vault's error body, optionally Retry-After.</summary>
    public sealed record Fault(HttpStatusCode Status, string Code, string Message, string? InnerCode = null, TimeSpan? RetryAfter = null)
    {
        public static Fault Throttled(TimeSpan retryAfter) => new((HttpStatusCode)429, "Throttled", "Request was not processed because too many requests were received.", RetryAfter: retryAfter);

        public static Fault Unavailable(TimeSpan? retryAfter = null) => new(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable", "The service is unavailable.", RetryAfter: retryAfter);

        public static Fault Forbidden() => new(HttpStatusCode.Forbidden, "Forbidden", "Caller is not authorized to perform action on resource.", "ForbiddenByRbac");

        public static Fault InternalError() => new(HttpStatusCode.InternalServerError, "InternalError", "An internal error occurred.");

        internal HttpResponseMessage ToResponse()
        {
            var response = Error(Status, Code, Message, InnerCode);
            if (RetryAfter is { } delay)
            {
                response.Headers.RetryAfter = new RetryConditionHeaderValue(delay);
            }

            return response;
        }
    }
}
