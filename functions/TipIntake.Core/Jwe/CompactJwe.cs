namespace TipIntake.Core.Jwe;

/// <summary>A JWE in compact serialisation (RFC 7516 §7.1), split and decoded but not decrypted.</summary>
public sealed class CompactJwe
{
    internal CompactJwe(string encodedHeader, JweHeader header, byte[] encryptedKey, byte[] iv, byte[] ciphertext, byte[] tag)
    {
        EncodedProtectedHeader = encodedHeader;
        Header = header;
        EncryptedKey = encryptedKey;
        InitializationVector = iv;
        Ciphertext = ciphertext;
        AuthenticationTag = tag;
    }

    /// <summary>The first segment as sent: its ASCII bytes are the AAD (RFC 7516 §5.1 step 14).</summary>
    public string EncodedProtectedHeader { get; }

    public JweHeader Header { get; }

    public byte[] EncryptedKey { get; }

    public byte[] InitializationVector { get; }

    public byte[] Ciphertext { get; }

    public byte[] AuthenticationTag { get; }
}
