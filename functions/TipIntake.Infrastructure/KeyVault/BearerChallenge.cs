using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace TipIntake.Infrastructure.KeyVault;

/// <summary>
/// A parsed <c>WWW-Authenticate: Bearer authorization="https://login…/{tenant}", resource="https://vault.azure.net"</c>
/// (or <c>authorization_uri</c>, or <c>scope</c> instead of <c>resource</c>).
/// </summary>
internal sealed partial record BearerChallenge(Uri Authority, string TenantId, Uri Resource, string Scope)
{
    public static bool TryParse(string? header, [NotNullWhen(true)] out BearerChallenge? challenge)
    {
        challenge = null;
        if (header is null || !header.TrimStart().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var parameters = Parameter().Matches(header)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.OrdinalIgnoreCase);
        var authority = parameters.GetValueOrDefault("authorization") ?? parameters.GetValueOrDefault("authorization_uri");
        var scope = parameters.GetValueOrDefault("scope");
        var resource = parameters.GetValueOrDefault("resource") ?? (scope?.EndsWith("/.default", StringComparison.Ordinal) == true ? scope[..^"/.default".Length] : null);
        if (!Uri.TryCreate(authority, UriKind.Absolute, out var authorityUri)
            || !Uri.TryCreate(resource, UriKind.Absolute, out var resourceUri)
            || authorityUri.Scheme != Uri.UriSchemeHttps || resourceUri.Scheme != Uri.UriSchemeHttps)
        {
            return false;
        }

        // The tenant is the authority's first path segment, as the official client reads it:
        // https://login.microsoftonline.com/{tenant} and https://login.microsoftonline.com/{tenant}/oauth2/authorize alike.
        var tenant = authorityUri.Segments.Length > 1 ? authorityUri.Segments[1].Trim('/') : "";
        if (tenant.Length == 0)
        {
            return false;
        }

        challenge = new BearerChallenge(authorityUri, tenant, resourceUri, scope ?? resourceUri.GetLeftPart(UriPartial.Authority) + "/.default");
        return true;
    }

    [GeneratedRegex("""(?<name>[A-Za-z_]+)="(?<value>[^"]*)" """, RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Parameter();
}
