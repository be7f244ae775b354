namespace TipIntake.Core.Staff;

/// <summary>The app roles of the triage application registration (Entra ID).</summary>
public static class StaffRoles
{
    /// <summary>May read tips, counts and audit trails.</summary>
    public const string Reader = "TipTriage.Reader";

    /// <summary>May also change status, assign, label and add notes.</summary>
    public const string Editor = "TipTriage.Editor";
}

/// <summary>A signed-in staff member: the token's object id (<c>oid</c>), display name and app roles.</summary>
public sealed record StaffMember(string ObjectId, string? Name, IReadOnlySet<string> Roles)
{
    public bool CanRead => Roles.Contains(StaffRoles.Reader) || Roles.Contains(StaffRoles.Editor);

    public bool CanEdit => Roles.Contains(StaffRoles.Editor);
}

/// <summary>The outcome of checking a request's bearer token.</summary>
public abstract record StaffAuthentication
{
    private StaffAuthentication()
    {
    }

    public sealed record Authenticated(StaffMember Member) : StaffAuthentication;

    /// <summary>No token, or a token that is malformed, expired, unsigned, wrongly signed or not for this app (401).</summary>
    /// <param name="Reason">Which check failed (never the token); logged as its code.</param>
    public sealed record Rejected(StaffRejectionReason Reason) : StaffAuthentication;
}

/// <summary>
/// Validates the bearer token of a triage request (Entra ID access tokens in Azure; development tokens from the local
/// host in Development only). Reporter endpoints never call this.
/// </summary>
public interface IStaffAuthenticator
{
    /// <param name="bearerToken">The token as presented (a compact JWS), or null when the caller presented none.</param>
    Task<StaffAuthentication> AuthenticateAsync(string? bearerToken, CancellationToken cancellationToken);
}
