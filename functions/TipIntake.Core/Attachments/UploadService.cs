using System.Buffers.Binary;

namespace TipIntake.Core.Attachments;

/// <summary>Why a create request's values cannot make an upload.</summary>
public enum UploadShapeFault
{
    None,

    /// <summary>Not 262,160 or 1,048,592 bytes a chunk, or a count of chunks that is not on the ladder.</summary>
    Malformed,

    /// <summary>More padded bytes than <c>Attachments:MaxFileBytes</c>.</summary>
    TooLarge,
}

public enum CreateOutcome
{
    Created,

    /// <summary>The upload exists, open, with the same values: a resend.</summary>
    Repeated,

    /// <summary>The upload exists with other values, or is completed.</summary>
    Conflict,

    /// <summary>No such upload, and <c>Attachments:MaxOpenUploads</c> are open: nothing was written.</summary>
    TooManyOpen,
}

public enum ChunkOutcome
{
    Staged,
    UnknownUpload,
    UploadComplete,
    IndexOutOfRange,
    SizeMismatch,
    DigestMismatch,
}

/// <summary>A chunk the blob holds: its index and the first 16 bytes of its SHA-256 (what its block id carries).</summary>
public sealed record ReceivedChunk(int Index, byte[] DigestPrefix);

/// <summary>What an upload holds now: while open, every chunk staged; once completed, <c>D</c>.</summary>
public sealed record UploadProgress(int Chunks, int ChunkBytes, bool Complete, byte[]? Digest, IReadOnlyList<ReceivedChunk> Received);

public abstract record CompleteOutcome
{
    private CompleteOutcome()
    {
    }

    public sealed record Completed(byte[] Digest) : CompleteOutcome;

    public sealed record UnknownUpload : CompleteOutcome;

    /// <summary>Not one digest per chunk.</summary>
    public sealed record WrongCount : CompleteOutcome;

    /// <summary>The chunks not staged with the digest named for them, in index order.</summary>
    public sealed record Incomplete(IReadOnlyList<int> Missing) : CompleteOutcome;

    /// <summary>Completed before with other digests.</summary>
    public sealed record Conflict : CompleteOutcome;
}

/// <summary>
/// The resumable upload (docs/attachments.md, "The upload protocol, for other clients"): create, stage chunks in any
/// order, ask what arrived, complete. Every step is idempotent: a resend of the same request gets the same answer, so
/// a client that lost an answer simply sends again. What arrived is read from the blob's own block list, never kept
/// elsewhere, so it stays true after any crash. Creating one takes a slot of <c>Attachments:MaxOpenUploads</c>
/// (<see cref="IOpenUploadLedger"/>); a resend takes none.
/// </summary>
public sealed class UploadService(
    IUploadStore store, IOpenUploadLedger openUploads, IOptions<AttachmentOptions> options, TimeProvider time, ILogger<UploadService> logger)
{
    public const int BlockIdBytes = 20;

    /// <summary>How long a create refused for <c>MaxOpenUploads</c> is told to wait: slots come back as tips bind and the sweep runs.</summary>
    public static readonly TimeSpan TooManyOpenRetryAfter = TimeSpan.FromSeconds(60);

    /// <summary>
    /// After the ledger was found full, creates are refused for this long without asking it again: a flood at the limit
    /// then costs each instance one query of the ledger a second, beside the point read of each create's own row.
    /// </summary>
    public static readonly TimeSpan TrustFullFor = TimeSpan.FromSeconds(1);

    private long _fullUntilTicks;
    private long _fullLoggedTicks;

    public UploadShapeFault Check(int chunks, int chunkBytes)
    {
        if (!ChunkLayout.IsChunkBytes(chunkBytes) || !ChunkLayout.Ladder.Contains(chunks))
        {
            return UploadShapeFault.Malformed;
        }

        return ChunkLayout.PaddedBytes(chunks, chunkBytes) > options.Value.MaxFileBytes ? UploadShapeFault.TooLarge : UploadShapeFault.None;
    }

    /// <summary>Creates an open upload of values already <see cref="Check"/>ed.</summary>
    public async Task<CreateOutcome> CreateAsync(UploadId upload, int chunks, int chunkBytes, CancellationToken cancellationToken)
    {
        var wanted = new UploadRecord(chunks, chunkBytes);
        if (await store.GetAsync(upload, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return SameOpen(existing, wanted) ? CreateOutcome.Repeated : CreateOutcome.Conflict;
        }

        var now = time.GetUtcNow();
        if (now.UtcTicks < Interlocked.Read(ref _fullUntilTicks))
        {
            return CreateOutcome.TooManyOpen;
        }

        // The slot before the row: a crash in between leaves a slot taken with no row, which stops counting once its
        // day leaves the window; the other order would leave a row no slot counts.
        var settings = options.Value;
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        if (!await openUploads.TryTakeAsync(day, day.AddDays(-settings.OrphanAfterDays), settings.MaxOpenUploads, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Exchange(ref _fullUntilTicks, (now + TrustFullFor).UtcTicks);
            if (now.UtcTicks - Interlocked.Read(ref _fullLoggedTicks) >= TimeSpan.TicksPerMinute)
            {
                Interlocked.Exchange(ref _fullLoggedTicks, now.UtcTicks);
                Log.UploadsAtLimit(logger, settings.MaxOpenUploads);
            }

            return CreateOutcome.TooManyOpen;
        }

        if (await store.TryCreateAsync(upload, wanted with { Slot = day }, cancellationToken).ConfigureAwait(false))
        {
            return CreateOutcome.Created;
        }

        // Another request created it in between: a parallel resend, or a client that chose the same id. Its row holds
        // its own slot.
        await openUploads.ReleaseAsync(day, cancellationToken).ConfigureAwait(false);
        var raced = await store.GetAsync(upload, cancellationToken).ConfigureAwait(false);
        return raced is not null && SameOpen(raced, wanted) ? CreateOutcome.Repeated : CreateOutcome.Conflict;
    }

    public Task<UploadRecord?> FindAsync(UploadId upload, CancellationToken cancellationToken) => store.GetAsync(upload, cancellationToken);

    /// <summary>Whether chunk <paramref name="index"/> may be sent to <paramref name="record"/>; null when it may.</summary>
    public static ChunkOutcome? Admit(UploadRecord? record, int index) => record switch
    {
        null => ChunkOutcome.UnknownUpload,
        { Complete: true } => ChunkOutcome.UploadComplete,
        _ when index < 0 || index >= record.Chunks => ChunkOutcome.IndexOutOfRange,
        _ => null,
    };

    /// <summary>
    /// Stages chunk <paramref name="index"/> of an admitted upload if it is exactly <c>chunkBytes</c> long and its SHA-256
    /// is <paramref name="claimedDigest"/> (the request's <c>Content-Digest</c>). Its block id names the index and the
    /// digest, so an identical resend lands on the same block and a different chunk on another.
    /// </summary>
    public async Task<ChunkOutcome> StageAsync(
        UploadId upload, UploadRecord record, int index, ReadOnlyMemory<byte> chunk, ReadOnlyMemory<byte> claimedDigest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Admit(record, index) is { } refused)
        {
            return refused;
        }

        if (chunk.Length != record.ChunkBytes)
        {
            return ChunkOutcome.SizeMismatch;
        }

        var digest = SHA256.HashData(chunk.Span);
        if (!digest.AsSpan().SequenceEqual(claimedDigest.Span))
        {
            return ChunkOutcome.DigestMismatch;
        }

        await store.StageAsync(upload, UploadDigest.BlockIdOf(index, digest), chunk, cancellationToken).ConfigureAwait(false);
        return ChunkOutcome.Staged;
    }

    /// <summary>What the upload holds, or null when there is no such upload.</summary>
    public async Task<UploadProgress?> ProgressAsync(UploadId upload, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(upload, cancellationToken).ConfigureAwait(false) is not { } record)
        {
            return null;
        }

        if (record.Complete)
        {
            return new UploadProgress(record.Chunks, record.ChunkBytes, true, record.Digest, []);
        }

        var blocks = await store.ListBlocksAsync(upload, cancellationToken).ConfigureAwait(false);
        var received = blocks.Select(ChunkOf).OfType<ReceivedChunk>().Where(c => c.Index < record.Chunks)
            .OrderBy(c => c.Index).ThenBy(c => Convert.ToHexString(c.DigestPrefix), StringComparer.Ordinal).ToList();
        return new UploadProgress(record.Chunks, record.ChunkBytes, false, null, received);
    }

    /// <summary>
    /// Commits every chunk in index order once each is staged with the digest named for it, and answers <c>D</c>.
    /// A completed upload answers the same <c>D</c> to the same digests again, and a conflict to others.
    /// </summary>
    public async Task<CompleteOutcome> CompleteAsync(UploadId upload, IReadOnlyList<byte[]> chunkDigests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chunkDigests);
        if (await store.GetAsync(upload, cancellationToken).ConfigureAwait(false) is not { } record)
        {
            return new CompleteOutcome.UnknownUpload();
        }

        if (chunkDigests.Count != record.Chunks || chunkDigests.Any(d => d.Length != UploadDigest.DigestBytes))
        {
            return record.Complete ? new CompleteOutcome.Conflict() : new CompleteOutcome.WrongCount();
        }

        if (record.Complete)
        {
            return record.ChunkDigests is { } stored && stored.Count == chunkDigests.Count && stored.Zip(chunkDigests).All(p => p.First.AsSpan().SequenceEqual(p.Second))
                ? new CompleteOutcome.Completed(record.Digest!)
                : new CompleteOutcome.Conflict();
        }

        // Committed blocks count too: a crash between Put Block List and the row's update leaves them committed.
        var blocks = (await store.ListBlocksAsync(upload, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var wanted = chunkDigests.Select((digest, index) => UploadDigest.BlockIdOf(index, digest)).ToList();
        var missing = wanted.Select((id, index) => (id, index)).Where(b => !blocks.Contains(b.id)).Select(b => b.index).ToList();
        if (missing.Count > 0)
        {
            return new CompleteOutcome.Incomplete(missing);
        }

        await store.CommitAsync(upload, wanted, cancellationToken).ConfigureAwait(false);
        var digest = UploadDigest.Compute(record.Chunks, record.ChunkBytes, chunkDigests);
        await store.MarkCompleteAsync(upload, record with { Complete = true, Digest = digest, ChunkDigests = [.. chunkDigests] }, cancellationToken).ConfigureAwait(false);
        Log.UploadCompleted(logger, record.Chunks, record.ChunkBytes);
        return new CompleteOutcome.Completed(digest);
    }

    private static bool SameOpen(UploadRecord existing, UploadRecord wanted) =>
        !existing.Complete && existing.Chunks == wanted.Chunks && existing.ChunkBytes == wanted.ChunkBytes;

    /// <summary>The index and digest prefix a block id carries; null for an id this service never makes.</summary>
    private static ReceivedChunk? ChunkOf(string blockId)
    {
        Span<byte> bytes = stackalloc byte[BlockIdBytes + 2];
        if (!Convert.TryFromBase64String(blockId, bytes, out var length) || length != BlockIdBytes)
        {
            return null;
        }

        var index = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return index > int.MaxValue ? null : new ReceivedChunk((int)index, bytes[4..BlockIdBytes].ToArray());
    }
}
