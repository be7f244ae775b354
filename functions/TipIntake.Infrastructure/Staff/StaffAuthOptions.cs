namespace TipIntake.Infrastructure.Staff;

/// <summary>
/// Section <c>Triage:Auth</c>: the Entra ID application that triage staff sign in to. One app registration serves as
/// both the single-page client (the triage page) and the API (its app roles <c>TipTriage.Reader</c>/<c>Editor</c>).
/// </summary>
public sealed class StaffAuthOptions
{
    public const string SectionName = "Triage:Auth";

    /// <summary>The directory (tenant) id.</summary>
    public string? TenantId { get; set; }

    /// <summary>The application (client) id of the triage app registration; the triage page signs in with it.</summary>
    public string? ClientId { get; set; }

    /// <summary>The API's audience as it appears in access tokens (<c>aud</c>): the app id URI or the client id.</summary>
    public string? Audience { get; set; }

    /// <summary>The scope the triage page asks for, e.g. <c>api://tipintake-triage/Tips.Triage</c>.</summary>
    public string? Scope { get; set; }

    /// <summary>The Entra ID instance.</summary>
    public Uri Instance { get; set; } = new("https://login.microsoftonline.com/");

    public bool IsConfigured => !string.IsNullOrEmpty(TenantId) && !string.IsNullOrEmpty(Audience);

    /// <summary>The scope's name as access tokens carry it in <c>scp</c>: <c>Tips.Triage</c> of <c>api://…/Tips.Triage</c>.</summary>
    public string? ScopeName => Scope is null ? null : Scope.Trim()[(Scope.Trim().LastIndexOf('/') + 1)..];
}
