using System.Diagnostics.CodeAnalysis;

namespace TipIntake.Core.Jwe;

/// <summary>
/// Parses and checks the shape of a compact JWE without decrypting it. Accepts exactly what contract 2 of
/// docs/architecture.md describes and names the first fault it finds otherwise.
/// </summary>
public static class JweParser
{
    public const int MaxHeaderLength = 1024;
    public const int MaxKeyIdLength = 256;

    /// <summary>RSA-2048, -3072 and -4096 moduli: the only wrapped-key lengths an RSA-OAEP-256 key can produce here.</summary>
    private static readonly int[] RsaModulusLengths = [256, 384, 512];

    private static readonly HashSet<string> AllowedHeaderMembers = ["alg", "enc", "kid", "cty", "typ"];

    public static bool TryParse(string compact, int maxLength, [NotNullWhen(true)] out CompactJwe? jwe, out JweFault fault)
    {
        ArgumentNullException.ThrowIfNull(compact);
        jwe = null;

        if (compact.Length == 0)
        {
            fault = JweFault.EmptyBody;
            return false;
        }

        if (compact.Length > maxLength)
        {
            fault = JweFault.TooLarge;
            return false;
        }

        Span<Range> segments = stackalloc Range[6];
        if (compact.AsSpan().Split(segments, '.') != 5)
        {
            fault = JweFault.NotCompactJwe;
            return false;
        }

        var text = compact.AsSpan();
        var encodedHeader = text[segments[0]];
        if (encodedHeader.IsEmpty || encodedHeader.Length > MaxHeaderLength)
        {
            fault = encodedHeader.IsEmpty ? JweFault.NotCompactJwe : JweFault.HeaderNotJson;
            return false;
        }

        if (!JoseBase64.TryDecode(encodedHeader, out var headerJson)
            || !JoseBase64.TryDecode(text[segments[1]], out var encryptedKey)
            || !JoseBase64.TryDecode(text[segments[2]], out var iv)
            || !JoseBase64.TryDecode(text[segments[3]], out var ciphertext)
            || !JoseBase64.TryDecode(text[segments[4]], out var tag))
        {
            fault = JweFault.InvalidBase64url;
            return false;
        }

        if (!TryReadHeader(headerJson, out var header, out fault))
        {
            return false;
        }

        if (CheckSegments(encryptedKey, iv, ciphertext, tag) is { } segmentFault)
        {
            fault = segmentFault;
            return false;
        }

        fault = default;
        jwe = new CompactJwe(encodedHeader.ToString(), header, encryptedKey, iv, ciphertext, tag);
        return true;
    }

    private static JweFault? CheckSegments(byte[] encryptedKey, byte[] iv, byte[] ciphertext, byte[] tag)
    {
        if (Array.IndexOf(RsaModulusLengths, encryptedKey.Length) < 0)
        {
            return JweFault.InvalidEncryptedKey;
        }

        if (iv.Length != AesGcmSizes.IvLength)
        {
            return JweFault.InvalidIv;
        }

        if (tag.Length != AesGcmSizes.TagLength)
        {
            return JweFault.InvalidTag;
        }

        return ciphertext.Length == 0 ? JweFault.EmptyCiphertext : null;
    }

    private static bool TryReadHeader(byte[] json, [NotNullWhen(true)] out JweHeader? header, out JweFault fault)
    {
        header = null;
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 2 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                fault = JweFault.HeaderNotJson;
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (!AllowedHeaderMembers.Contains(name))
                {
                    fault = JweFault.UnsupportedHeaderParameter;
                    return false;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    fault = JweFault.HeaderMemberNotString;
                    return false;
                }

                if (!members.TryAdd(name, reader.GetString()!))
                {
                    fault = JweFault.HeaderMemberDuplicated;
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                fault = JweFault.HeaderNotJson;
                return false;
            }
        }
        catch (JsonException)
        {
            fault = JweFault.HeaderNotJson;
            return false;
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader.GetString throws this for invalid UTF-8 inside a string.
            fault = JweFault.HeaderNotJson;
            return false;
        }

        if (CheckHeader(members) is { } headerFault)
        {
            fault = headerFault;
            return false;
        }

        fault = default;
        header = new JweHeader(members["alg"], members["enc"], members["kid"], members["cty"]);
        return true;
    }

    private static JweFault? CheckHeader(Dictionary<string, string> members)
    {
        if (!members.TryGetValue("alg", out var alg) || !members.TryGetValue("enc", out var enc)
            || !members.TryGetValue("kid", out var kid) || !members.TryGetValue("cty", out var cty))
        {
            return JweFault.HeaderMemberMissing;
        }

        if (alg != JweAlgorithms.KeyWrap)
        {
            return JweFault.UnsupportedAlg;
        }

        if (enc != JweAlgorithms.ContentEncryption)
        {
            return JweFault.UnsupportedEnc;
        }

        if (JweAlgorithms.ContentOf(cty) is null)
        {
            return JweFault.UnsupportedCty;
        }

        return kid.Length is 0 or > MaxKeyIdLength ? JweFault.UnsupportedKid : null;
    }
}
