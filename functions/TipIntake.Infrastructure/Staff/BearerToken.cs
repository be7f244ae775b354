using TipIntake.Core.Staff;

namespace TipIntake.Infrastructure.Staff;

/// <summary>
/// Reads the token from an <c>Authorization</c> header: exactly <c>Bearer &lt;token&gt;</c> (scheme case-insensitive,
/// RFC 6750 §2.1), the token a JWS in compact serialisation (three base64url segments), the header at most
/// <see cref="MaxHeaderLength"/> characters. Anything else is refused before a parser sees it.
/// </summary>
internal static class BearerToken
{
    /// <summary>16 KiB: Entra ID access tokens are a few KiB even with many roles.</summary>
    public const int MaxHeaderLength = 16 * 1024;

    private const string Scheme = "Bearer";

    public static bool TryRead(string? authorizationHeader, out string token, out string reason)
    {
        token = "";
        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            reason = StaffRejectionReasons.Missing;
            return false;
        }

        if (authorizationHeader.Length > MaxHeaderLength)
        {
            reason = StaffRejectionReasons.Malformed;
            return false;
        }

        var value = authorizationHeader.AsSpan().Trim();
        if (value.Length <= Scheme.Length
            || !value[..Scheme.Length].Equals(Scheme, StringComparison.OrdinalIgnoreCase)
            || value[Scheme.Length] != ' ')
        {
            reason = StaffRejectionReasons.Missing;
            return false;
        }

        var candidate = value[(Scheme.Length + 1)..].Trim(' ');
        if (!IsCompactJws(candidate))
        {
            reason = StaffRejectionReasons.Malformed;
            return false;
        }

        token = candidate.ToString();
        reason = "";
        return true;
    }

    /// <summary>Two dots, non-empty header and payload, base64url characters only (the signature may be empty: <c>alg: none</c>).</summary>
    private static bool IsCompactJws(ReadOnlySpan<char> candidate)
    {
        var dots = 0;
        var segmentLength = 0;
        foreach (var c in candidate)
        {
            if (c == '.')
            {
                if (segmentLength == 0 || ++dots > 2)
                {
                    return false;
                }

                segmentLength = 0;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            {
                segmentLength++;
            }
            else
            {
                return false;
            }
        }

        return dots == 2;
    }
}
