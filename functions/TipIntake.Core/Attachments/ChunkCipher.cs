using System.Buffers.Binary;

namespace TipIntake.Core.Attachments;

/// <summary>
/// One file's chunks under its own AES-256 key (docs/attachments.md, "Encryption"): AES-256-GCM with the STREAM nonce
/// <c>0x00·7 ‖ uint32be(index) ‖ last</c> and the upload id in the associated data, so that chunks cannot be reordered,
/// dropped, truncated or moved to another upload without failing authentication. Not thread-safe.
/// </summary>
public sealed class ChunkCipher : IDisposable
{
    public const int KeyBytes = 32;
    public const int NonceBytes = 12;

    /// <summary>The associated data's prefix; the upload id's 22 characters (ASCII) follow it.</summary>
    public const string AadPrefix = "tipintake/attachment/v1";

    private readonly AesGcm _aes;
    private readonly byte[] _aad;

    public ChunkCipher(ReadOnlySpan<byte> key, string uploadId)
    {
        ArgumentNullException.ThrowIfNull(uploadId);
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException("A file key is 32 bytes.", nameof(key));
        }

        _aes = new AesGcm(key, ChunkLayout.TagBytes);
        _aad = Encoding.ASCII.GetBytes(AadPrefix + uploadId);
    }

    /// <summary>The STREAM nonce of chunk <paramref name="index"/>; <paramref name="last"/> for the file's final chunk.</summary>
    public static void NonceOf(int index, bool last, Span<byte> nonce)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        nonce[..NonceBytes].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(nonce[7..11], (uint)index);
        nonce[11] = last ? (byte)1 : (byte)0;
    }

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="chunk"/> (ciphertext then tag: plaintext + 16 bytes).</summary>
    public void Encrypt(int index, bool last, ReadOnlySpan<byte> plaintext, Span<byte> chunk)
    {
        Span<byte> nonce = stackalloc byte[NonceBytes];
        NonceOf(index, last, nonce);
        _aes.Encrypt(nonce, plaintext, chunk[..plaintext.Length], chunk.Slice(plaintext.Length, ChunkLayout.TagBytes), _aad);
    }

    /// <summary>
    /// Decrypts <paramref name="chunk"/> into <paramref name="plaintext"/> (16 bytes shorter); false when it is not
    /// chunk <paramref name="index"/> of this upload under this key, with that last-chunk flag (the plaintext is then cleared).
    /// </summary>
    public bool TryDecrypt(int index, bool last, ReadOnlySpan<byte> chunk, Span<byte> plaintext)
    {
        if (chunk.Length < ChunkLayout.TagBytes || plaintext.Length < chunk.Length - ChunkLayout.TagBytes)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[NonceBytes];
        NonceOf(index, last, nonce);
        var length = chunk.Length - ChunkLayout.TagBytes;
        try
        {
            _aes.Decrypt(nonce, chunk[..length], chunk[length..], plaintext[..length], _aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public void Dispose() => _aes.Dispose();
}
