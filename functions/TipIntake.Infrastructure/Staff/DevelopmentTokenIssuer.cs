using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TipIntake.Infrastructure.Staff;

/// <summary>A development token and how long it lasts.</summary>
public sealed record DevelopmentToken(string AccessToken, TimeSpan ExpiresIn);

/// <summary>
/// Issues staff tokens for local development, shaped like Entra ID v2 access tokens (<c>oid</c>, <c>name</c>,
/// <c>roles</c>, <c>scp</c>) and signed RS256 with an RSA-2048 key made in memory at start (never stored, gone at
/// exit). The local host makes it, in the Development environment only, and gives the worker its <see cref="Trust"/>
/// (the public key); <see cref="EntraIdTokenValidator"/> trusts that key only in Development, whatever is configured.
/// </summary>
public sealed partial class DevelopmentTokenIssuer : IDisposable
{
    public const string IssuerName = "https://tipintake-local.localhost/dev";

    /// <summary>The audience when <c>Triage:Auth:Audience</c> is not set.</summary>
    public const string DefaultAudience = "api://tipintake-local-dev";

    /// <summary>The delegated scope named in <c>scp</c> when <c>Triage:Auth:Scope</c> is not set.</summary>
    public const string DefaultScope = "Tips.Triage";

    public const int MaxNameLength = 100;

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    private static readonly HashSet<string> AppRoles = new HashSet<string>(StringComparer.Ordinal) { StaffRoles.Reader, StaffRoles.Editor };

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _signingKey;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly string _scope;

    public DevelopmentTokenIssuer(IOptions<StaffAuthOptions> options, TimeProvider time, ILogger<DevelopmentTokenIssuer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _logger = logger;
        var keyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        _signingKey = new RsaSecurityKey(_rsa) { KeyId = keyId };
        var publicKey = new RsaSecurityKey(_rsa.ExportParameters(includePrivateParameters: false)) { KeyId = keyId };
        Audience = AudienceFor(options.Value);
        Trust = new DevelopmentTokenTrust(publicKey, Audience);
        var parameters = publicKey.Parameters;
        PublicJwk = new System.Text.Json.Nodes.JsonObject
        {
            ["kty"] = "RSA",
            ["kid"] = keyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        }.ToJsonString();
        var scope = options.Value.Scope;
        _scope = string.IsNullOrWhiteSpace(scope) ? DefaultScope : scope[(scope.LastIndexOf('/') + 1)..];
    }

    public string Audience { get; }

    /// <summary>The public half of the signing key and the audience: what the validator checks development tokens against.</summary>
    public DevelopmentTokenTrust Trust { get; }

    /// <summary>The public half of the signing key as a JWK, for <see cref="DevelopmentTokenTrust.SettingName"/>.</summary>
    public string PublicJwk { get; }

    /// <summary>The audience development tokens are issued for: <c>Triage:Auth:Audience</c>, else <see cref="DefaultAudience"/>.</summary>
    public static string AudienceFor(StaffAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Audience) ? DefaultAudience : options.Audience;
    }

    /// <summary>True for the app roles a development token may carry (<c>TipTriage.Reader</c>, <c>TipTriage.Editor</c>).</summary>
    public static bool IsAppRole(string role) => AppRoles.Contains(role);

    /// <summary>
    /// A token for <paramref name="name"/> with <paramref name="roles"/> (app roles only; none is allowed, to try a
    /// signed-in member without access). The object id is derived from the name, so one name is one audit identity.
    /// </summary>
    public DevelopmentToken Issue(string name, IReadOnlyCollection<string> roles)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(roles);
        if (name.Length > MaxNameLength)
        {
            throw new ArgumentException($"The name may have at most {MaxNameLength} characters.", nameof(name));
        }

        if (roles.FirstOrDefault(role => !IsAppRole(role)) is not null)
        {
            throw new ArgumentException($"Only the app roles {StaffRoles.Reader} and {StaffRoles.Editor} may be asked for.", nameof(roles));
        }

        var objectId = ObjectIdFor(name);
        var now = _time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["oid"] = objectId,
            ["sub"] = objectId,
            ["name"] = name,
            ["scp"] = _scope,
            ["ver"] = "2.0",
        };
        if (roles.Count > 0)
        {
            claims["roles"] = roles.Distinct(StringComparer.Ordinal).ToArray();
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = IssuerName,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.RsaSha256),
        });
        Log.DevelopmentTokenIssued(_logger, objectId);
        return new DevelopmentToken(token, Lifetime);
    }

    public void Dispose() => _rsa.Dispose();

    /// <summary>A GUID-shaped (version 8, RFC 9562) object id from the name's SHA-256.</summary>
    private static string ObjectIdFor(string name)
    {
        Span<byte> bytes = stackalloc byte[16];
        SHA256.HashData(Encoding.UTF8.GetBytes("tipintake-dev-oid:" + name))[..16].CopyTo(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    private static partial class Log
    {
        [LoggerMessage(3106, LogLevel.Information, "Development token issued for {ObjectId}")]
        public static partial void DevelopmentTokenIssued(ILogger logger, string objectId);
    }
}
