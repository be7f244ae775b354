using System.Security.Cryptography;
using System.Text;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.Jwe;

/// <summary>
/// Builds compact JWEs the way a conforming client does (RSA-OAEP-256 wrap of a random 256-bit key, A256GCM with a
/// 96-bit IV and 128-bit tag, AAD = ASCII of the encoded protected header), with hooks to break any one part.
/// </summary>
internal static class JweFactory
{
    public const string KeyId = "https://tips-kv.vault.azure.net/keys/intake/0123456789abcdef0123456789abcdef";

    public static readonly string ValidHeaderJson =
        $$"""{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{{KeyId}}","cty":"application/vnd.tipintake.tip.v1+json"}""";

    private static readonly Lazy<RSA> LazyKey = new(() => RSA.Create(3072));

    public static RSA Key => LazyKey.Value;

    /// <summary>A compact JWE and what went into it.</summary>
    public sealed record Built(string Compact, byte[] ContentKey, byte[] Plaintext)
    {
        public string[] Segments => Compact.Split('.');
    }

    /// <summary>A valid header naming <paramref name="keyId"/> as its kid.</summary>
    public static string HeaderJsonFor(string keyId) =>
        $$"""{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"{{keyId}}","cty":"application/vnd.tipintake.tip.v1+json"}""";

    /// <param name="headerJson">The protected header; <see cref="ValidHeaderJson"/> by default.</param>
    /// <param name="plaintext">What is encrypted; a minimal valid tip by default.</param>
    /// <param name="wrapKey">The RSA key the content key is wrapped with; <see cref="Key"/> by default.</param>
    /// <param name="wrappedContentKey">What is wrapped instead of the content key that encrypted the plaintext.</param>
    public static Built Build(
        string? headerJson = null,
        byte[]? plaintext = null,
        RSA? wrapKey = null,
        byte[]? wrappedContentKey = null)
    {
        headerJson ??= ValidHeaderJson;
        plaintext ??= Encoding.UTF8.GetBytes("""{"category":"other","narrative":"A test tip.","urgency":"unknown"}""");
        var encodedHeader = JoseBase64.Encode(Encoding.UTF8.GetBytes(headerJson));
        var contentKey = RandomNumberGenerator.GetBytes(32);
        var encryptedKey = (wrapKey ?? Key).Encrypt(wrappedContentKey ?? contentKey, RSAEncryptionPadding.OaepSHA256);
        var iv = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(contentKey, 16))
        {
            aes.Encrypt(iv, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(encodedHeader));
        }

        var compact = string.Join('.',
            encodedHeader,
            JoseBase64.Encode(encryptedKey),
            JoseBase64.Encode(iv),
            JoseBase64.Encode(ciphertext),
            JoseBase64.Encode(tag));
        return new Built(compact, contentKey, plaintext);
    }

    /// <summary>A valid JWE whose segment <paramref name="index"/> is replaced by <paramref name="segment"/>.</summary>
    public static string WithSegment(int index, string segment)
    {
        var segments = Build().Segments;
        segments[index] = segment;
        return string.Join('.', segments);
    }

    public static string WithHeader(string headerJson) =>
        WithSegment(0, JoseBase64.Encode(Encoding.UTF8.GetBytes(headerJson)));

    public static string WithHeaderBytes(byte[] headerBytes) => WithSegment(0, JoseBase64.Encode(headerBytes));

    public static string Random(int length) => JoseBase64.Encode(RandomNumberGenerator.GetBytes(length));
}
