namespace TipIntake.Core.Attachments;

/// <summary>
/// A whole file padded and encrypted as the reporter's browser does it (docs/attachments.md, "Encryption"): what the
/// no-script path does on arrival, and what tests use as an independent client. Holds the file in memory: for files
/// of the no-script path's size, never for a stream.
/// </summary>
public static class AttachmentEncryptor
{
    public static EncryptedFile Encrypt(ReadOnlySpan<byte> file, string uploadId, int chunkBytes, ReadOnlySpan<byte> key)
    {
        var chunks = ChunkLayout.ChunksFor(file.Length, chunkBytes)
            ?? throw new ArgumentException("The file is larger than the ladder's largest count of chunks.", nameof(file));
        var plaintextBytes = ChunkLayout.PlaintextBytesOf(chunkBytes);
        var padded = new byte[ChunkLayout.PaddedBytes(chunks, chunkBytes)];
        file.CopyTo(padded);
        padded[file.Length] = ChunkLayout.PaddingMarker;
        using var cipher = new ChunkCipher(key, uploadId);
        var encrypted = new List<byte[]>(chunks);
        for (var index = 0; index < chunks; index++)
        {
            var chunk = new byte[chunkBytes];
            cipher.Encrypt(index, index == chunks - 1, padded.AsSpan(index * plaintextBytes, plaintextBytes), chunk);
            encrypted.Add(chunk);
        }

        CryptographicOperations.ZeroMemory(padded);
        var digests = encrypted.Select(SHA256.HashData).ToList();
        return new EncryptedFile(encrypted, digests, UploadDigest.Compute(chunks, chunkBytes, digests), SHA256.HashData(file), file.Length);
    }
}

/// <summary>A file's ciphertext chunks, their SHA-256s, <c>D</c> over them, and the plaintext's SHA-256 and size.</summary>
public sealed record EncryptedFile(IReadOnlyList<byte[]> Chunks, IReadOnlyList<byte[]> ChunkDigests, byte[] Digest, byte[] Sha256, long Size);
