using System.Buffers;

namespace TipIntake.Core.Attachments;

/// <summary>Why a stored file did not decrypt to what its tip names (docs/attachments.md, "Download").</summary>
public enum AttachmentIntegrityFault
{
    None,

    /// <summary>The stored ciphertext is shorter or longer than the tip's chunks.</summary>
    Length,

    /// <summary>A chunk failed authentication: another key, another upload, moved, altered or cut.</summary>
    Chunk,

    /// <summary>The digest over the chunks is not the tip's <c>D</c>.</summary>
    Digest,

    /// <summary>What follows the content is not <c>0x80 0x00…</c>.</summary>
    Padding,

    /// <summary>The plaintext's SHA-256 is not the one the reporter's browser computed.</summary>
    Sha256,

    /// <summary>The intake key refused the wrapped key: it was not made with the version the entry names.</summary>
    Key,

    /// <summary>The row says attached, but there is no ciphertext at its place.</summary>
    Absent,
}

/// <summary>
/// Decrypts a stored file chunk by chunk into a stream, one chunk of plaintext in memory at a time, and checks on the
/// way everything the tip says of it: every chunk authenticated with its STREAM nonce, the digest <c>D</c> over the
/// chunks, the padding, and the plaintext's SHA-256. Content is written before the end is checked, so a caller that
/// has started answering must abort (not end) its response when the result is a fault.
/// </summary>
public static class AttachmentDecryptor
{
    public static async Task<AttachmentIntegrityFault> DecryptAsync(
        Stream ciphertext, Stream destination, StoredAttachment file, ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(file);
        var plaintextBytes = ChunkLayout.PlaintextBytesOf(file.ChunkBytes);
        var chunk = ArrayPool<byte>.Shared.Rent(file.ChunkBytes);
        var plaintext = ArrayPool<byte>.Shared.Rent(plaintextBytes);
        try
        {
            using var cipher = new ChunkCipher(key.Span, file.Upload);
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var digests = new List<byte[]>(file.Chunks);
            var written = 0L;
            for (var index = 0; index < file.Chunks; index++)
            {
                if (await ciphertext.ReadAtLeastAsync(chunk.AsMemory(0, file.ChunkBytes), file.ChunkBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) != file.ChunkBytes)
                {
                    return AttachmentIntegrityFault.Length;
                }

                digests.Add(SHA256.HashData(chunk.AsSpan(0, file.ChunkBytes)));
                var last = index == file.Chunks - 1;
                if (!cipher.TryDecrypt(index, last, chunk.AsSpan(0, file.ChunkBytes), plaintext))
                {
                    return AttachmentIntegrityFault.Chunk;
                }

                // The padding is F ‖ 0x80 ‖ 0x00… over the whole file: the marker falls in the chunk where the content
                // ends, and on the ladder's larger counts whole chunks of zeros may follow it.
                var start = (long)index * plaintextBytes;
                var content = (int)Math.Clamp(file.Size - start, 0, plaintextBytes);
                var holdsMarker = file.Size >= start && file.Size < start + plaintextBytes;
                if (!IsPadding(plaintext.AsSpan(content, plaintextBytes - content), holdsMarker))
                {
                    return AttachmentIntegrityFault.Padding;
                }

                sha256.AppendData(plaintext, 0, content);
                await destination.WriteAsync(plaintext.AsMemory(0, content), cancellationToken).ConfigureAwait(false);
                written += content;
            }

            if (await ciphertext.ReadAsync(chunk.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) != 0)
            {
                return AttachmentIntegrityFault.Length;
            }

            if (file.Size < 0 || file.Size >= ChunkLayout.PaddedBytes(file.Chunks, file.ChunkBytes))
            {
                // No chunk had room for the padding marker: no encryptor makes such a layout.
                return AttachmentIntegrityFault.Padding;
            }

            if (!CryptographicOperations.FixedTimeEquals(UploadDigest.Compute(file.Chunks, file.ChunkBytes, digests), file.Digest.Span))
            {
                return AttachmentIntegrityFault.Digest;
            }

            return CryptographicOperations.FixedTimeEquals(sha256.GetHashAndReset(), file.Sha256.Span) ? AttachmentIntegrityFault.None : AttachmentIntegrityFault.Sha256;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
            ArrayPool<byte>.Shared.Return(plaintext);
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <summary>What follows a chunk's content: <c>0x80</c> then zeros where the content ends, zeros after that.</summary>
    private static bool IsPadding(ReadOnlySpan<byte> tail, bool holdsMarker) =>
        holdsMarker
            ? tail.Length > 0 && tail[0] == ChunkLayout.PaddingMarker && !tail[1..].ContainsAnyExcept((byte)0)
            : !tail.ContainsAnyExcept((byte)0);
}

/// <summary>What the tip says of a stored file, as decryption checks it.</summary>
/// <param name="Upload">The upload id (22 characters): part of every chunk's associated data.</param>
/// <param name="Digest"><c>D</c> over the ciphertext chunks (<see cref="UploadDigest"/>).</param>
/// <param name="Size">The file's true size; what follows it, to the end of the last chunk, is padding.</param>
/// <param name="Sha256">The plaintext's SHA-256, computed in the reporter's browser.</param>
public sealed record StoredAttachment(string Upload, int Chunks, int ChunkBytes, long Size, ReadOnlyMemory<byte> Digest, ReadOnlyMemory<byte> Sha256);
