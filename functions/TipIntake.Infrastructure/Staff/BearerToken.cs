namespace TipIntake.Infrastructure.Staff;

/// <summary>
/// Checks the shape of a bearer token before a parser sees it: a JWS in compact serialisation (three base64url
/// segments) of at most <see cref="MaxLength"/> characters.
/// </summary>
internal static class BearerToken
{
    /// <summary>16 KiB: Entra ID access tokens are a few KiB even with many roles.</summary>
    public const int MaxLength = 16 * 1024;

    public static bool TryRead(string? bearerToken, out string token, out StaffRejectionReason reason)
    {
        token = "";
        if (string.IsNullOrWhiteSpace(bearerToken))
        {
            reason = StaffRejectionReason.Missing;
            return false;
        }

        if (bearerToken.Length > MaxLength || !IsCompactJws(bearerToken))
        {
            reason = StaffRejectionReason.Malformed;
            return false;
        }

        token = bearerToken;
        reason = default;
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
