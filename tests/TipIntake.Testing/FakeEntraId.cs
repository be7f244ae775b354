using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TipIntake.Testing;

/// <summary>
/// An in-process Entra ID tenant, as far as a token validator sees it: the v2 OpenID Connect metadata document
/// (<c>/{tenant}/v2.0/.well-known/openid-configuration</c>) and its JWKS (<c>/{tenant}/discovery/v2.0/keys</c>), both
/// in the documented format (keys with <c>kid</c>, <c>kty</c>, <c>use</c>, <c>n</c>, <c>e</c>, <c>x5t</c>,
/// <c>x5c</c>, <c>issuer</c>), for real RSA keys; and access tokens minted by hand (not with the library under test),
/// shaped like v2 access tokens, which tests may bend in any way.
/// </summary>
public sealed class FakeEntraId : HttpMessageHandler
{
    public const string TenantId = "7f5c1c55-4c5b-4c2e-9a54-3d2f6b1e0a11";
    public const string ClientId = "2b8f0e3a-9d41-4f7e-8c3b-6a5d4e2f1c90";
    public const string Scope = "Tips.Triage";
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly List<SigningKey> _keys = [];
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _jwksServed = new();

    public FakeEntraId()
    {
        CurrentKey = AddKey();
    }

    public static Uri Instance { get; } = new("https://login.microsoftonline.com/");

    public static string IssuerV2 => $"https://login.microsoftonline.com/{TenantId}/v2.0";

    public static string IssuerV1 => $"https://sts.windows.net/{TenantId}/";

    public static string MetadataAddress => $"https://login.microsoftonline.com/{TenantId}/v2.0/.well-known/openid-configuration";

    public static string JwksUri => $"https://login.microsoftonline.com/{TenantId}/discovery/v2.0/keys";

    /// <summary>The key <see cref="Token"/> signs with unless told otherwise; published in the JWKS.</summary>
    public SigningKey CurrentKey { get; private set; }

    /// <summary>While true, every request gets 503 (an outage, or no network).</summary>
    public bool Unavailable { get; set; }

    /// <summary>The paths requested, in order.</summary>
    public IReadOnlyCollection<string> Requests => _requests;

    public int MetadataRequests => _requests.Count(path => path.EndsWith("/openid-configuration", StringComparison.Ordinal));

    public int JwksRequests => _requests.Count(path => path.EndsWith("/keys", StringComparison.Ordinal));

    /// <summary>Completes once the JWKS has been served <paramref name="count"/> times.</summary>
    public Task JwksServed(int count)
    {
        var served = _jwksServed.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (JwksRequests >= count)
        {
            served.TrySetResult();
        }

        return served.Task;
    }

    /// <summary>A new key published in the JWKS (a rotation); with <paramref name="makeCurrent"/>, tokens are signed with it from now on.</summary>
    public SigningKey AddKey(bool makeCurrent = false)
    {
        var key = SigningKey.Create();
        lock (_gate)
        {
            _keys.Add(key);
        }

        if (makeCurrent)
        {
            CurrentKey = key;
        }

        return key;
    }

    /// <summary>
    /// A v2 access token for the triage API (<c>aud</c> the client id, <c>iss</c> the v2 issuer, valid from a minute ago
    /// for an hour, <c>oid</c>, <c>name</c>, <c>preferred_username</c>, <c>scp</c>, <c>roles</c>). <paramref name="payload"/>
    /// and <paramref name="header"/> may change anything; <paramref name="alg"/> picks the signature: RS256, PS256, HS256
    /// (keyed with <paramref name="hmacKey"/>), or none (no signature).
    /// </summary>
    public string Token(
        IReadOnlyList<string>? roles = null,
        Action<JsonObject>? payload = null,
        Action<JsonObject>? header = null,
        SigningKey? key = null,
        string alg = "RS256",
        byte[]? hmacKey = null)
    {
        key ??= CurrentKey;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["aud"] = ClientId,
            ["iss"] = IssuerV2,
            ["iat"] = now - 60,
            ["nbf"] = now - 60,
            ["exp"] = now + 3600,
            ["aio"] = "E2ZgYDjd8n+test",
            ["azp"] = ClientId,
            ["azpacr"] = "0",
            ["name"] = "Ada Triage",
            ["oid"] = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            ["preferred_username"] = "ada@contoso.example",
            ["rh"] = "0.test.",
            ["scp"] = Scope,
            ["sub"] = "kD8b3cR0wTHd4VJ3u8l2fY9a-test",
            ["tid"] = TenantId,
            ["uti"] = "test-uti",
            ["ver"] = "2.0",
        };
        if (roles is not null)
        {
            claims["roles"] = new JsonArray(roles.Select(role => (JsonNode?)JsonValue.Create(role)).ToArray());
        }

        payload?.Invoke(claims);
        var head = new JsonObject { ["typ"] = "JWT", ["alg"] = alg, ["kid"] = key.KeyId };
        header?.Invoke(head);
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(head.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = alg switch
        {
            "RS256" => key.Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            "PS256" => key.Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            "HS256" => HMACSHA256.HashData(hmacKey ?? throw new ArgumentNullException(nameof(hmacKey)), data),
            "none" => [],
            _ => throw new ArgumentOutOfRangeException(nameof(alg), alg, "RS256, PS256, HS256 or none"),
        };
        return signingInput + "." + Base64Url(signature);
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri!;
        _requests.Enqueue(uri.AbsolutePath);
        if (Unavailable)
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        }

        if (request.Method != HttpMethod.Get || uri.Host != Instance.Host)
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }

        var body = uri.AbsoluteUri == MetadataAddress ? Metadata()
            : uri.AbsoluteUri == JwksUri ? Jwks()
            : null;
        if (body is null)
        {
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }

        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (uri.AbsoluteUri == JwksUri && _jwksServed.TryGetValue(JwksRequests, out var served))
        {
            served.TrySetResult();
        }

        return Task.FromResult(response);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                foreach (var key in _keys)
                {
                    key.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    private static JsonObject Metadata()
    {
        var tenant = $"https://login.microsoftonline.com/{TenantId}";
        return new JsonObject
        {
            ["token_endpoint"] = $"{tenant}/oauth2/v2.0/token",
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
            ["jwks_uri"] = JwksUri,
            ["response_modes_supported"] = new JsonArray("query", "fragment", "form_post"),
            ["subject_types_supported"] = new JsonArray("pairwise"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["response_types_supported"] = new JsonArray("code", "id_token", "code id_token", "id_token token"),
            ["scopes_supported"] = new JsonArray("openid", "profile", "email", "offline_access"),
            ["issuer"] = IssuerV2,
            ["request_uri_parameter_supported"] = false,
            ["userinfo_endpoint"] = "https://graph.microsoft.com/oidc/userinfo",
            ["authorization_endpoint"] = $"{tenant}/oauth2/v2.0/authorize",
            ["device_authorization_endpoint"] = $"{tenant}/oauth2/v2.0/devicecode",
            ["http_logout_supported"] = true,
            ["frontchannel_logout_supported"] = true,
            ["end_session_endpoint"] = $"{tenant}/oauth2/v2.0/logout",
            ["claims_supported"] = new JsonArray("sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"),
            ["kerberos_endpoint"] = $"{tenant}/kerberos",
            ["tenant_region_scope"] = "EU",
            ["cloud_instance_name"] = "microsoftonline.com",
            ["cloud_graph_host_name"] = "graph.windows.net",
            ["msgraph_host"] = "graph.microsoft.com",
            ["rbac_url"] = "https://pas.windows.net",
        };
    }

    private JsonObject Jwks()
    {
        lock (_gate)
        {
            return new JsonObject { ["keys"] = new JsonArray(_keys.Select(key => (JsonNode?)key.Jwk()).ToArray()) };
        }
    }

    /// <summary>An RSA-2048 signing key with its self-signed certificate, as Entra ID publishes them.</summary>
    public sealed class SigningKey : IDisposable
    {
        private SigningKey(RSA rsa, X509Certificate2 certificate)
        {
            Rsa = rsa;
            Certificate = certificate;
            KeyId = Base64Url(certificate.GetCertHash(HashAlgorithmName.SHA1));
        }

        public RSA Rsa { get; }

        public X509Certificate2 Certificate { get; }

        /// <summary>Entra ID's kid is the certificate's SHA-1 thumbprint, base64url, like x5t.</summary>
        public string KeyId { get; }

        /// <summary>The public key as SubjectPublicKeyInfo DER (what an HMAC key-confusion attack would key with).</summary>
        public byte[] PublicKeyDer => Rsa.ExportSubjectPublicKeyInfo();

        public string PublicKeyPem => Rsa.ExportSubjectPublicKeyInfoPem();

        public static SigningKey Create()
        {
            var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=accounts.accesscontrol.windows.net", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));
            return new SigningKey(rsa, certificate);
        }

        public JsonObject Jwk()
        {
            var parameters = Rsa.ExportParameters(includePrivateParameters: false);
            return new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = KeyId,
                ["x5t"] = KeyId,
                ["n"] = Base64Url(parameters.Modulus!),
                ["e"] = Base64Url(parameters.Exponent!),
                ["x5c"] = new JsonArray(Convert.ToBase64String(Certificate.RawData)),
                ["cloud_instance_name"] = "microsoftonline.com",
                ["issuer"] = IssuerV2,
            };
        }

        public void Dispose()
        {
            Certificate.Dispose();
            Rsa.Dispose();
        }
    }
}
