using TipIntake.Core.Keys;

namespace TipIntake.Core.Jwe;

/// <summary>
/// Builds the same compact JWE the reporter's browser builds (RSA-OAEP-256 wrapping a fresh A256GCM key, 96-bit IV,
/// the encoded protected header as AAD). Used only on the no-script path, where the plaintext briefly exists in the
/// intake function's memory; the content key is wiped as soon as it is wrapped.
/// </summary>
public static class JweEncryptor
{
    /// <param name="contentType">The header's <c>cty</c>: a tip's, or an answer's (the no-script follow-up page).</param>
    public static string Encrypt(ReadOnlySpan<byte> plaintext, IntakePublicKey key, string contentType = JweAlgorithms.TipV1ContentType)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (JweAlgorithms.ContentOf(contentType) is not (JweContent.Tip or JweContent.Answer))
        {
            throw new ArgumentException("Only a tip or an answer is encrypted to the intake key here.", nameof(contentType));
        }

        var header = $$"""{"alg":"{{JweAlgorithms.KeyWrap}}","enc":"{{JweAlgorithms.ContentEncryption}}","kid":{{System.Text.Json.JsonSerializer.Serialize(key.KeyId, Keys.KeyIdJsonContext.Default.String)}},"cty":"{{contentType}}"}""";
        var encodedHeader = JoseBase64.Encode(Encoding.UTF8.GetBytes(header));
        Span<byte> contentKey = stackalloc byte[JweDecryptor.ContentKeyLength];
        Span<byte> iv = stackalloc byte[AesGcmSizes.IvLength];
        Span<byte> tag = stackalloc byte[AesGcmSizes.TagLength];
        var ciphertext = new byte[plaintext.Length];
        try
        {
            RandomNumberGenerator.Fill(contentKey);
            RandomNumberGenerator.Fill(iv);
            using (var aes = new AesGcm(contentKey, AesGcmSizes.TagLength))
            {
                aes.Encrypt(iv, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(encodedHeader));
            }

            return string.Join('.', encodedHeader, JoseBase64.Encode(WrapKey(contentKey, key)), JoseBase64.Encode(iv), JoseBase64.Encode(ciphertext), JoseBase64.Encode(tag));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
        }
    }

    /// <summary>
    /// <paramref name="contentKey"/> wrapped with RSA-OAEP-256 to the intake key: only Key Vault can unwrap it. A tip's
    /// content key, and an attachment's file key on the no-script path.
    /// </summary>
    public static byte[] WrapKey(ReadOnlySpan<byte> contentKey, IntakePublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!JoseBase64.TryDecode(key.Modulus, out var modulus) || !JoseBase64.TryDecode(key.Exponent, out var exponent))
        {
            throw new ArgumentException("The intake key's modulus or exponent is not base64url.", nameof(key));
        }

        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = modulus, Exponent = exponent });
        return rsa.Encrypt(contentKey, RSAEncryptionPadding.OaepSHA256);
    }
}
