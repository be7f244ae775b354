namespace TipIntake.Core.Staff;

/// <summary>
/// The reason codes a <see cref="StaffAuthentication.Rejected"/> carries: short, fixed, safe to log and to put in a
/// problem type. None of them says anything about the token beyond which check it failed.
/// </summary>
public static class StaffRejectionReasons
{
    /// <summary>No bearer token was presented.</summary>
    public const string Missing = "missing";

    /// <summary>Not a signed JWT in compact serialisation, too long, or without a required part (e.g. <c>exp</c>).</summary>
    public const string Malformed = "malformed";

    /// <summary>Past its <c>exp</c> (beyond the clock skew).</summary>
    public const string Expired = "expired";

    /// <summary>Before its <c>nbf</c> (beyond the clock skew).</summary>
    public const string NotYetValid = "not-yet-valid";

    /// <summary>Not signed by a key of the trusted issuer (unknown <c>kid</c>, other key, altered token).</summary>
    public const string BadSignature = "bad-signature";

    /// <summary>Signed with an algorithm outside the allow-list (<c>none</c>, HMAC, …).</summary>
    public const string BadAlgorithm = "bad-algorithm";

    public const string WrongIssuer = "wrong-issuer";

    public const string WrongAudience = "wrong-audience";

    /// <summary>No <c>oid</c> (object id) claim, or one that is not a GUID.</summary>
    public const string NoObjectId = "no-oid";

    /// <summary>Not a delegated access token (no <c>scp</c> claim): e.g. an ID token of the same app registration.</summary>
    public const string NotAccessToken = "not-access-token";

    /// <summary>The delegated scopes (<c>scp</c>) do not include the triage API's scope (<c>Triage:Auth:Scope</c>).</summary>
    public const string WrongScope = "wrong-scope";

    /// <summary>The token was issued to another client application (<c>azp</c>, or <c>appid</c> in v1) than the triage page's.</summary>
    public const string WrongClient = "wrong-client";

    /// <summary><c>Triage:Auth</c> is not configured: staff sign-in is off.</summary>
    public const string NotConfigured = "not-configured";

    /// <summary>The identity provider's metadata or signing keys could not be fetched.</summary>
    public const string Unavailable = "unavailable";
}
