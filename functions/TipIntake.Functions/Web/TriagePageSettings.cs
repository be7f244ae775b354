namespace TipIntake.Functions.Web;

/// <summary>
/// What the triage page needs to sign staff in, rendered into its <c>#triage-settings</c> JSON block. Public
/// identifiers only — never a secret.
/// </summary>
/// <param name="AuthMode"><see cref="DevelopmentMode"/> (the local host's development sign-in) or <see cref="EntraMode"/>.</param>
/// <param name="TenantId">The Entra ID directory (tenant) id.</param>
/// <param name="ClientId">The triage app registration's application (client) id.</param>
/// <param name="Scope">The API scope the page asks for.</param>
/// <param name="Authority">The Entra ID authority, the instance followed by the tenant id.</param>
/// <param name="MsalAvailable">Whether MSAL.js is embedded in this build (it is bundled from npm when present).</param>
public sealed record TriagePageSettings(
    string AuthMode, string? TenantId, string? ClientId, string? Scope, string? Authority, bool MsalAvailable)
{
    public const string DevelopmentMode = "development";
    public const string EntraMode = "entra";
}
