using Microsoft.Net.Http.Headers;

namespace TipIntake.Functions.Attachments;

/// <summary>What a request's <c>Content-Digest</c> says of its body's SHA-256.</summary>
public enum ContentDigestFault
{
    None,

    /// <summary>No <c>Content-Digest</c>, or one without <c>sha-256</c>.</summary>
    Missing,

    /// <summary>A <c>sha-256</c> member that is not a byte sequence (<c>:base64:</c>) of 32 bytes.</summary>
    Malformed,
}

/// <summary>
/// The <c>sha-256</c> member of an RFC 9530 <c>Content-Digest</c> header: a structured-field dictionary such as
/// <c>sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:</c>, other algorithms beside it ignored. Several header
/// lines are one dictionary (RFC 9651 §3.2); a key given twice keeps its last value.
/// </summary>
public static class ContentDigest
{
    public const string HeaderName = "Content-Digest";

    private const int Sha256Bytes = 32;

    public static ContentDigestFault TryRead(HttpRequest request, out byte[] sha256)
    {
        ArgumentNullException.ThrowIfNull(request);
        sha256 = [];
        string? value = null;
        foreach (var member in string.Join(',', request.Headers[HeaderName].ToArray()).Split(','))
        {
            var equals = member.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && member[..equals].Trim().Equals("sha-256", StringComparison.Ordinal))
            {
                value = member[(equals + 1)..].Trim();
            }
        }

        if (value is null)
        {
            return ContentDigestFault.Missing;
        }

        // A byte sequence may carry parameters after ';' (RFC 9651 §3.1.2); none are defined for digests.
        var bytes = value.Split(';')[0];
        var decoded = new byte[Sha256Bytes + 3];
        if (bytes.Length < 2 || bytes[0] != ':' || bytes[^1] != ':'
            || !Convert.TryFromBase64String(bytes[1..^1], decoded, out var length) || length != Sha256Bytes)
        {
            return ContentDigestFault.Malformed;
        }

        sha256 = decoded[..Sha256Bytes];
        return ContentDigestFault.None;
    }
}
