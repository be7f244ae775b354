using System.Buffers.Text;

namespace TipIntake.Core.Jwe;

/// <summary>Strict base64url without padding, as JOSE requires (RFC 7515 §2): no padding, no whitespace, no other alphabet.</summary>
public static class JoseBase64
{
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length % 4 == 1 || text.ContainsAnyExcept(Alphabet))
        {
            return false;
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>
    /// The bytes of <paramref name="text"/> when it is the one canonical encoding of exactly <paramref name="byteLength"/>
    /// bytes (no stray low bits in its last character), else null.
    /// </summary>
    public static byte[]? DecodeCanonical(string? text, int byteLength) =>
        text is not null && text.Length == (byteLength * 4 + 2) / 3 && TryDecode(text, out var bytes) && bytes.Length == byteLength && Encode(bytes) == text
            ? bytes
            : null;

    /// <summary>As <see cref="DecodeCanonical(string?, int)"/> for a JSON value: null for anything but such a string.</summary>
    public static byte[]? DecodeCanonical(JsonElement value, int byteLength) =>
        value.ValueKind == JsonValueKind.String ? DecodeCanonical(value.GetString(), byteLength) : null;

    /// <summary>The number of bytes an unpadded base64url text of this length decodes to.</summary>
    public static int DecodedLength(int encodedLength) => (encodedLength * 3) / 4;

    private static readonly System.Buffers.SearchValues<char> Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
