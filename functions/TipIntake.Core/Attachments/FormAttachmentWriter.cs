using System.Buffers;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;

namespace TipIntake.Core.Attachments;

/// <summary>What became of one file posted without JavaScript.</summary>
public abstract record FormAttachmentOutcome
{
    private FormAttachmentOutcome()
    {
    }

    /// <summary>Stored as a completed upload, named by <paramref name="Entry"/> (which the tip carries inside its JWE).</summary>
    public sealed record Written(AttachmentEntry Entry) : FormAttachmentOutcome
    {
        /// <summary>Never the entry: it holds the wrapped key and the upload id.</summary>
        public override string ToString() => nameof(Written);
    }

    /// <summary>The file is larger than the limit: nothing readable was kept, and the rest of it was not read.</summary>
    public sealed record TooLarge : FormAttachmentOutcome;
}

/// <summary>
/// The no-script path's files (docs/attachments.md, "The no-script path"): a file read from the request one chunk at a
/// time, padded, encrypted under a fresh key wrapped to the intake key and staged as a completed upload — the same
/// ciphertext, chunks and <c>D</c> the browser would have made, so that from the tip on nothing tells the two paths
/// apart. Never more than one chunk of plaintext is held (a pooled buffer, cleared after each chunk), and none is
/// written anywhere. The upload's row is written only once every chunk is staged: a post cut short leaves staged
/// blocks without a row, which Azure discards after a week, and nothing readable.
/// </summary>
public sealed class FormAttachmentWriter(IUploadStore uploads)
{
    /// <summary>256 KiB chunks: the no-script path is used on the slowest links.</summary>
    public const int ChunkBytes = ChunkLayout.SmallChunkBytes;

    public async Task<FormAttachmentOutcome> WriteAsync(
        Stream file, string type, string name, IntakePublicKey intakeKey, long maxFileBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(intakeKey);
        var upload = UploadId.New();
        var key = RandomNumberGenerator.GetBytes(ChunkCipher.KeyBytes);
        var plaintextBytes = ChunkLayout.PlaintextBytesOf(ChunkBytes);
        var plaintext = ArrayPool<byte>.Shared.Rent(plaintextBytes);
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            using var cipher = new ChunkCipher(key, upload.ToString());
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var digests = new List<byte[]>();
            var size = 0L;
            int? chunks = null;
            for (var index = 0; chunks is null || index < chunks; index++)
            {
                var filled = chunks is null ? await file.ReadAtLeastAsync(plaintext.AsMemory(0, plaintextBytes), plaintextBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) : 0;
                size += filled;
                if (size > maxFileBytes)
                {
                    return new FormAttachmentOutcome.TooLarge();
                }

                sha256.AppendData(plaintext, 0, filled);
                if (chunks is null && filled < plaintextBytes)
                {
                    // The file ended in this chunk: from here on the chunks are padding, the first byte of it the marker.
                    chunks = ChunkLayout.ChunksFor(size, ChunkBytes);
                    if (chunks is null)
                    {
                        return new FormAttachmentOutcome.TooLarge();
                    }

                    plaintext[filled] = ChunkLayout.PaddingMarker;
                    plaintext.AsSpan(filled + 1, plaintextBytes - filled - 1).Clear();
                }
                else if (chunks is not null)
                {
                    plaintext.AsSpan(0, plaintextBytes).Clear();
                }

                cipher.Encrypt(index, index == chunks - 1, plaintext.AsSpan(0, plaintextBytes), chunk.AsSpan(0, ChunkBytes));
                var digest = SHA256.HashData(chunk.AsSpan(0, ChunkBytes));
                digests.Add(digest);
                await uploads.StageAsync(upload, UploadDigest.BlockIdOf(index, digest), chunk.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false);
            }

            var count = chunks.Value;
            var d = UploadDigest.Compute(count, ChunkBytes, digests);
            await uploads.TryCreateAsync(upload, new UploadRecord(count, ChunkBytes), cancellationToken).ConfigureAwait(false);
            await uploads.CommitAsync(upload, [.. digests.Select((digest, index) => UploadDigest.BlockIdOf(index, digest))], cancellationToken).ConfigureAwait(false);
            await uploads.MarkCompleteAsync(upload, new UploadRecord(count, ChunkBytes, Complete: true, d, digests), cancellationToken).ConfigureAwait(false);
            return new FormAttachmentOutcome.Written(new AttachmentEntry(
                upload.ToString(), d, count, ChunkBytes, intakeKey.KeyId, JoseBase64.Encode(JweEncryptor.WrapKey(key, intakeKey)), size, sha256.GetHashAndReset(), type, name,
                "unchecked", []));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext.AsSpan(0, plaintextBytes));
            ArrayPool<byte>.Shared.Return(plaintext);
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}

/// <summary>Why the no-script path refused a post's files (docs/attachments.md, "The no-script path", "Limits").</summary>
public enum FormFilesRefusal
{
    TooMany,
    TooLarge,
    TypeNotAllowed,

    /// <summary>The post broke off or a part was malformed: nothing of it is named.</summary>
    Unreadable,

    /// <summary>A photo was to be cleaned and the rules could not clean it: nothing of it is named.</summary>
    NotCleanable,
}

/// <summary>The files a no-script post carried, stored and ready to be named; or why they were refused.</summary>
public sealed record FormFiles(IReadOnlyList<AttachmentEntry> Entries, FormFilesRefusal? Refusal = null)
{
    public static readonly FormFiles None = new([]);

    /// <summary>Never the entries: they hold wrapped keys and upload ids.</summary>
    public override string ToString() => $"{Entries.Count} file(s), refusal {Refusal?.ToString() ?? "none"}";
}
