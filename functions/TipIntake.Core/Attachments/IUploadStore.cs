namespace TipIntake.Core.Attachments;

/// <summary>
/// An upload's row (table <c>Uploads</c>): its shape, whether it is completed, after completion <c>D</c> and the
/// chunks' digests, and the day of the open-upload slot it holds (<see cref="IOpenUploadLedger"/>; null for an upload
/// that holds none, as the no-script path's, whose own lane bounds them).
/// </summary>
public sealed record UploadRecord(
    int Chunks, int ChunkBytes, bool Complete = false, byte[]? Digest = null, IReadOnlyList<byte[]>? ChunkDigests = null, DateOnly? Slot = null);

/// <summary>An upload's row as the sweep sees it: the day it was created (never a finer time) and the tip that named it, if any.</summary>
public sealed record UploadListing(UploadId Upload, UploadRecord Record, DateOnly Day, string? ClaimedBy);

/// <summary>
/// Where uploads live (docs/attachments.md, "Storage"): the row in <c>Uploads</c> and the block blob
/// <c>attachments-staging/&lt;upload&gt;</c>, whose staged and committed blocks are the truth about what arrived.
/// Every method throws <see cref="Intake.StorageUnavailableException"/> when storage cannot be reached.
/// </summary>
public interface IUploadStore
{
    Task<UploadRecord?> GetAsync(UploadId upload, CancellationToken cancellationToken);

    /// <summary>Writes a new open upload's row; false when a row exists already (whatever it holds).</summary>
    Task<bool> TryCreateAsync(UploadId upload, UploadRecord record, CancellationToken cancellationToken);

    /// <summary>Stages one chunk as a block (Put Block): the same id again replaces it with the same bytes.</summary>
    Task StageAsync(UploadId upload, string blockId, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);

    /// <summary>The ids of every block of the upload's blob, staged or committed; empty when it has none.</summary>
    Task<IReadOnlyList<string>> ListBlocksAsync(UploadId upload, CancellationToken cancellationToken);

    /// <summary>Commits the blob as these blocks in this order (Put Block List); repeating it is harmless.</summary>
    Task CommitAsync(UploadId upload, IReadOnlyList<string> blockIds, CancellationToken cancellationToken);

    /// <summary>Marks the row completed with <c>D</c> and the chunks' digests.</summary>
    Task MarkCompleteAsync(UploadId upload, UploadRecord completed, CancellationToken cancellationToken);

    /// <summary>
    /// Records on the row that tip <paramref name="tipId"/> names the upload as its file <paramref name="number"/>
    /// (<c>ClaimedBy</c>), leaving whatever else it holds; nothing when there is no row.
    /// </summary>
    Task ClaimAsync(UploadId upload, string tipId, int number, CancellationToken cancellationToken);

    /// <summary>Every upload's row created on or before <paramref name="day"/> (the sweep's question).</summary>
    IAsyncEnumerable<UploadListing> ListCreatedByAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the row and then gives back the open-upload slot it held (<see cref="UploadRecord.Slot"/>); nothing when
    /// there is no row (binding and the sweep repeat their steps), so a slot is given back once.
    /// </summary>
    Task DeleteAsync(UploadId upload, CancellationToken cancellationToken);
}
