using System.Text.RegularExpressions;

namespace TipIntake.Infrastructure.Staff;

/// <summary>
/// Checks <c>Triage:Auth</c> at start-up. Left out entirely, staff sign-in is off (every triage request is refused,
/// reporters are unaffected); once any of it is set, it must be complete and well-formed, so a typo fails the start
/// instead of every sign-in.
/// </summary>
internal sealed partial class StaffAuthOptionsValidator : IValidateOptions<StaffAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, StaffAuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var anySet = !string.IsNullOrWhiteSpace(options.TenantId) || !string.IsNullOrWhiteSpace(options.ClientId)
            || !string.IsNullOrWhiteSpace(options.Audience) || !string.IsNullOrWhiteSpace(options.Scope);
        if (!anySet)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.TenantId) || !IsTenant(options.TenantId))
        {
            failures.Add("Triage:Auth:TenantId must be the directory (tenant) id, a GUID, or its verified domain (e.g. contoso.onmicrosoft.com); "
                + "'common', 'organizations' and 'consumers' are not accepted.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Triage:Auth:Audience must be set: the 'aud' of the API's access tokens (for v2 tokens, the client id).");
        }

        // Tokens are checked for both: issued to the triage page (azp/appid) and for the triage API's scope (scp).
        if (string.IsNullOrWhiteSpace(options.ClientId) || !Guid.TryParse(options.ClientId, out _))
        {
            failures.Add("Triage:Auth:ClientId must be the application (client) id, a GUID.");
        }

        if (string.IsNullOrWhiteSpace(options.ScopeName) || options.ScopeName.Any(char.IsWhiteSpace))
        {
            failures.Add("Triage:Auth:Scope must be the scope the triage page asks for, such as api://{client id}/Tips.Triage.");
        }

        if (options.Instance is not { IsAbsoluteUri: true } instance || instance.Scheme != Uri.UriSchemeHttps
            || !string.IsNullOrEmpty(instance.Query) || !string.IsNullOrEmpty(instance.Fragment))
        {
            failures.Add("Triage:Auth:Instance must be an absolute https URI such as https://login.microsoftonline.com/.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool IsTenant(string tenantId) => Guid.TryParse(tenantId, out _) || DomainName().IsMatch(tenantId);

    [GeneratedRegex(@"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DomainName();
}
