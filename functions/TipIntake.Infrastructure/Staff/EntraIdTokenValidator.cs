using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using TipIntake.Core;

namespace TipIntake.Infrastructure.Staff;

/// <summary>
/// Validates triage requests' bearer tokens itself: Entra ID access tokens of the configured tenant and API, checked
/// against the signing keys of the tenant's OpenID Connect metadata (fetched, cached and refreshed by
/// <see cref="ConfigurationManager{T}"/>, refreshed early when a token names an unknown key); and, in the Development
/// environment only, the tokens of the local host's <see cref="DevelopmentTokenIssuer"/> (<see cref="DevelopmentTokenTrust"/>). See docs/staff-auth.md.
/// </summary>
public sealed partial class EntraIdTokenValidator : IStaffAuthenticator, IDisposable
{
    /// <summary>The asymmetric algorithms Entra ID signs with; never <c>none</c>, never HMAC.</summary>
    public static readonly IReadOnlyList<string> AllowedAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
    ];

    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ILogger _logger;
    private readonly Core.Logging.RefusalTally _rejections;
    private readonly ConfigurationManager<OpenIdConnectConfiguration>? _metadata;
    private readonly TokenValidationParameters? _entraParameters;
    private readonly DevelopmentTokenTrust? _development;
    private readonly string? _scopeName;
    private readonly string? _clientId;
    private readonly TokenValidationParameters? _developmentParameters;

    public EntraIdTokenValidator(
        IOptions<StaffAuthOptions> options,
        IHostEnvironment environment,
        EntraIdMetadataClient metadataClient,
        ILogger<EntraIdTokenValidator> logger,
        DevelopmentTokenTrust? developmentTrust = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(metadataClient);
        _logger = logger;
        _rejections = new Core.Logging.RefusalTally(
            time ?? TimeProvider.System, TimeSpan.FromMinutes(1), (total, byReason) => Log.StaffTokensRejected(logger, total, byReason));
        var settings = options.Value;
        if (settings.IsConfigured)
        {
            var instance = settings.Instance.AbsoluteUri.TrimEnd('/') + "/";
            var tenant = settings.TenantId!.Trim();
            _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
                $"{instance}{tenant}/v2.0/.well-known/openid-configuration",
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever(metadataClient.HttpClient) { RequireHttps = true });
            _entraParameters = Parameters(EntraIssuers(instance, tenant), EntraAudiences(settings), AllowedAlgorithms);
            _entraParameters.ConfigurationManager = _metadata;
            _scopeName = settings.ScopeName;
            _clientId = settings.ClientId?.Trim();
        }

        // Trust in development tokens is decided here, by the environment alone: no setting can turn it on elsewhere.
        if (developmentTrust is not null && environment.IsDevelopment())
        {
            _development = developmentTrust;
            _developmentParameters = Parameters([DevelopmentTokenIssuer.IssuerName], [developmentTrust.Audience], [SecurityAlgorithms.RsaSha256]);
            _developmentParameters.IssuerSigningKey = developmentTrust.ValidationKey;
        }
    }

    /// <summary>Whether Entra ID tokens can be validated (<c>Triage:Auth</c> is configured).</summary>
    public bool IsConfigured => _metadata is not null;

    /// <summary>Whether development tokens are trusted (Development environment, with the local host's key given).</summary>
    public bool TrustsDevelopmentTokens => _development is not null;

    public async Task<StaffAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken)
    {
        if (!BearerToken.TryRead(bearerToken, out var compact, out var reason))
        {
            return Reject(reason);
        }

        JsonWebToken token;
        try
        {
            token = new JsonWebToken(compact);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException or System.Text.Json.JsonException)
        {
            return Reject(StaffRejectionReason.Malformed);
        }

        // Before any key is looked at: 'none', HMAC (e.g. HS256 keyed with the RSA public key) and the rest never get further.
        if (!AllowedAlgorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            return Reject(StaffRejectionReason.BadAlgorithm);
        }

        TokenValidationParameters parameters;
        if (_development is not null && string.Equals(token.Issuer, DevelopmentTokenIssuer.IssuerName, StringComparison.Ordinal))
        {
            parameters = _developmentParameters!;
        }
        else if (_metadata is null)
        {
            return Reject(StaffRejectionReason.NotConfigured);
        }
        else
        {
            try
            {
                // Cached; fetched on first use and refreshed by the manager (its failures would otherwise pass silently).
                await _metadata.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.StaffAuthMetadataUnavailable(_logger, ex.GetType().Name + (ex.InnerException is { } inner ? "/" + inner.GetType().Name : ""));
                return Reject(StaffRejectionReason.Unavailable);
            }

            parameters = _entraParameters!;
        }

        var result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Reject(ReasonFor(result.Exception));
        }

        if (!token.TryGetPayloadValue<string>("oid", out var objectId) || !Guid.TryParse(objectId, out _))
        {
            return Reject(StaffRejectionReason.NoObjectId);
        }

        if (!token.TryGetPayloadValue<string>("scp", out var scopes) || string.IsNullOrWhiteSpace(scopes))
        {
            return Reject(StaffRejectionReason.NotAccessToken);
        }

        if (ReferenceEquals(parameters, _entraParameters))
        {
            // A token of this tenant for this API is not enough: it must have been issued to the triage page (another
            // app of the tenant given access to the API has its own azp) and carry the triage scope.
            if (!scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(_scopeName, StringComparer.Ordinal))
            {
                return Reject(StaffRejectionReason.WrongScope);
            }

            var client = token.TryGetPayloadValue<string>("azp", out var azp) ? azp
                : token.TryGetPayloadValue<string>("appid", out var appId) ? appId : null;
            if (!string.Equals(client, _clientId, StringComparison.OrdinalIgnoreCase))
            {
                return Reject(StaffRejectionReason.WrongClient);
            }
        }

        var name = token.TryGetPayloadValue<string>("name", out var displayName) && !string.IsNullOrWhiteSpace(displayName)
            ? displayName
            : token.TryGetPayloadValue<string>("preferred_username", out var username) && !string.IsNullOrWhiteSpace(username) ? username : null;
        var roles = token.Claims.Where(claim => claim.Type == "roles").Select(claim => claim.Value).ToHashSet(StringComparer.Ordinal);
        Log.StaffAuthenticated(_logger, objectId);
        return new StaffAuthentication.Authenticated(new StaffMember(objectId, name, roles));
    }

    internal static StaffRejectionReason ReasonFor(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => StaffRejectionReason.Expired,
        SecurityTokenNotYetValidException => StaffRejectionReason.NotYetValid,
        SecurityTokenInvalidAlgorithmException => StaffRejectionReason.BadAlgorithm,
        SecurityTokenInvalidIssuerException => StaffRejectionReason.WrongIssuer,
        SecurityTokenInvalidAudienceException => StaffRejectionReason.WrongAudience,
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => StaffRejectionReason.BadSignature,
        _ => StaffRejectionReason.Malformed,
    };

    private static List<string> EntraIssuers(string instance, string tenant)
    {
        // v2 tokens name the instance and tenant id; v1 tokens the STS. Both carry the tenant id (GUID), never a domain:
        // with a domain TenantId the v2 issuer comes from the metadata, which the handler accepts as well.
        var issuers = new List<string> { $"{instance}{tenant}/v2.0" };
        if (Guid.TryParse(tenant, out var tenantId))
        {
            issuers.Add($"https://sts.windows.net/{tenantId:D}/");
        }

        return issuers;
    }

    private static List<string> EntraAudiences(StaffAuthOptions settings)
    {
        // v2 access tokens carry the client id as 'aud', v1 tokens the app id URI (by default api://{client id}).
        var audiences = new List<string> { settings.Audience!.Trim() };
        if (!string.IsNullOrWhiteSpace(settings.ClientId))
        {
            audiences.Add(settings.ClientId.Trim());
            audiences.Add($"api://{settings.ClientId.Trim()}");
        }

        return audiences.Distinct(StringComparer.Ordinal).ToList();
    }

    private static TokenValidationParameters Parameters(
        IEnumerable<string> issuers, IEnumerable<string> audiences, IEnumerable<string> algorithms) => new()
    {
        ValidIssuers = issuers.ToList(),
        ValidAudiences = audiences.ToList(),
        ValidAlgorithms = algorithms.ToList(),
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        RequireAudience = true,
        TryAllIssuerSigningKeys = false,
        ClockSkew = ClockSkew,
        NameClaimType = "name",
        RoleClaimType = "roles",
    };

    public void Dispose() => _rejections.Dispose();

    private StaffAuthentication.Rejected Reject(StaffRejectionReason reason)
    {
        Log.StaffTokenRejected(_logger, Codes.Of(reason));
        _rejections.Add(Codes.Of(reason));
        return new StaffAuthentication.Rejected(reason);
    }

    private static partial class Log
    {
        /// <summary>Debug: anyone can send bad tokens as fast as they like; <see cref="StaffTokensRejected"/> counts them.</summary>
        [LoggerMessage(3103, LogLevel.Debug, "Staff token rejected ({Reason})")]
        public static partial void StaffTokenRejected(ILogger logger, string reason);

        [LoggerMessage(3104, LogLevel.Debug, "Staff member {ObjectId} authenticated")]
        public static partial void StaffAuthenticated(ILogger logger, string objectId);

        [LoggerMessage(3105, LogLevel.Warning, "Could not fetch Entra ID's OpenID Connect metadata or signing keys; staff tokens are refused until it can ({FailureType})")]
        public static partial void StaffAuthMetadataUnavailable(ILogger logger, string failureType);

        [LoggerMessage(3203, LogLevel.Information, "Staff tokens rejected in the last minute: {Total} ({ByReason})")]
        public static partial void StaffTokensRejected(ILogger logger, long total, string byReason);
    }
}
