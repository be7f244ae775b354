using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace TipIntake.Infrastructure.KeyVault;

/// <summary>
/// A parsed <c>WWW-Authenticate: Bearer authorization="https://login…/{tenant}", resource="https://vault.azure.net"</c>
/// (or <c>authorization_uri</c>, or <c>scope</c> instead of <c>resource</c>). <see cref="Scope"/> is what a token is
/// asked for and <see cref="Resource"/> is that scope's resource, the one the caller checks: as the official client
/// does, a <c>resource</c>, when there is one, decides the scope (<c>{resource}/.default</c>), and a <c>scope</c> is
/// used only without it — so a challenge naming a vault resource and another service's scope can never make the
/// checked resource and the requested scope differ.
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
        var scope = parameters.GetValueOrDefault("resource") is { } named
            ? named.TrimEnd('/') + DefaultSuffix
            : parameters.GetValueOrDefault("scope");
        var resource = scope?.EndsWith(DefaultSuffix, StringComparison.Ordinal) == true ? scope[..^DefaultSuffix.Length] : scope;
        if (scope is null
            || !Uri.TryCreate(authority, UriKind.Absolute, out var authorityUri)
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

        challenge = new BearerChallenge(authorityUri, tenant, resourceUri, scope);
        return true;
    }

    private const string DefaultSuffix = "/.default";

    [GeneratedRegex("""(?<name>[A-Za-z_]+)="(?<value>[^"]*)" """, RegexOptions.CultureInvariant | RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex Parameter();
}
