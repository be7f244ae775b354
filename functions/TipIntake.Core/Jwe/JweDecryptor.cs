namespace TipIntake.Core.Jwe;

/// <summary>A256GCM content decryption (RFC 7518 §5.3) with the encoded protected header as AAD (RFC 7516 §5.2 step 14).</summary>
public static class JweDecryptor
{
    public const int ContentKeyLength = 32;

    /// <summary>Decrypts into a new buffer; false when the key has the wrong length or the tag does not verify.</summary>
    public static bool TryDecrypt(CompactJwe jwe, ReadOnlySpan<byte> contentKey, out byte[] plaintext)
    {
        ArgumentNullException.ThrowIfNull(jwe);
        plaintext = [];
        if (contentKey.Length != ContentKeyLength)
        {
            return false;
        }

        var aad = Encoding.ASCII.GetBytes(jwe.EncodedProtectedHeader);
        var output = new byte[jwe.Ciphertext.Length];
        using var aes = new AesGcm(contentKey, AesGcmSizes.TagLength);
        try
        {
            aes.Decrypt(jwe.InitializationVector, jwe.Ciphertext, jwe.AuthenticationTag, output, aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        plaintext = output;
        return true;
    }
}
