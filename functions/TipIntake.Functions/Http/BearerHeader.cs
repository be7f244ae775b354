using Microsoft.Extensions.Primitives;

namespace TipIntake.Functions.Http;

/// <summary>
/// The token of an <c>Authorization: Bearer &lt;token&gt;</c> header (scheme case-insensitive, RFC 6750 §2.1), or
/// null when there is no such header or it names another scheme. What the token is worth is the authenticator's to say.
/// </summary>
public static class BearerHeader
{
    private const string Scheme = "Bearer";

    public static string? TokenOf(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } header)
        {
            return null;
        }

        var value = header.AsSpan().Trim();
        return value.Length > Scheme.Length && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && value[Scheme.Length] == ' '
            ? value[(Scheme.Length + 1)..].Trim(' ').ToString()
            : null;
    }
}
