namespace TipIntake.Core.Staff;

/// <summary>
/// Why a <see cref="StaffAuthentication.Rejected"/> was rejected; its code (<see cref="Codes.Of"/>) is short, fixed, safe
/// to log. None of them says anything about the token beyond which check it failed.
/// </summary>
public enum StaffRejectionReason
{
    /// <summary>No bearer token was presented.</summary>
    Missing,

    /// <summary>Not a signed JWT in compact serialisation, too long, or without a required part (e.g. <c>exp</c>).</summary>
    Malformed,

    /// <summary>Past its <c>exp</c> (beyond the clock skew).</summary>
    Expired,

    /// <summary>Before its <c>nbf</c> (beyond the clock skew).</summary>
    NotYetValid,

    /// <summary>Not signed by a key of the trusted issuer (unknown <c>kid</c>, other key, altered token).</summary>
    BadSignature,

    /// <summary>Signed with an algorithm outside the allow-list (<c>none</c>, HMAC, …).</summary>
    BadAlgorithm,

    WrongIssuer,

    WrongAudience,

    /// <summary>No <c>oid</c> (object id) claim, or one that is not a GUID.</summary>
    [JsonStringEnumMemberName("no-oid")]
    NoObjectId,

    /// <summary>Not a delegated access token (no <c>scp</c> claim): e.g. an ID token of the same app registration.</summary>
    NotAccessToken,

    /// <summary>The delegated scopes (<c>scp</c>) do not include the triage API's scope (<c>Triage:Auth:Scope</c>).</summary>
    WrongScope,

    /// <summary>The token was issued to another client application (<c>azp</c>, or <c>appid</c> in v1) than the triage page's.</summary>
    WrongClient,

    /// <summary><c>Triage:Auth</c> is not configured: staff sign-in is off.</summary>
    NotConfigured,

    /// <summary>The identity provider's metadata or signing keys could not be fetched.</summary>
    Unavailable,

    /// <summary>No authenticator is registered (a host without staff sign-in).</summary>
    NoAuthenticator,
}
