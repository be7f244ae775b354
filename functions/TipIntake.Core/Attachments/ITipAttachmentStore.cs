namespace TipIntake.Core.Attachments;

/// <summary>Where a file a tip names stands (docs/attachments.md, "Processing: binding, quarantine").</summary>
public enum AttachmentState
{
    /// <summary>Its ciphertext is at <c>attachments/&lt;tip id&gt;/&lt;n&gt;</c>, bound by <c>D</c>.</summary>
    Attached,

    /// <summary>Its upload was not completed when the tip was stored; the sweep attaches it once it is.</summary>
    Awaited,

    /// <summary>Awaited too long: quarantined <c>attachment-missing</c> with its entry.</summary>
    Missing,

    /// <summary>Its upload was completed with another digest: quarantined <c>attachment-mismatch</c>.</summary>
    Mismatch,

    /// <summary>Over the report's count or size limit: quarantined <c>attachment-over-limit</c>.</summary>
    OverLimit,
}

/// <summary>
/// One row of table <c>Attachments</c>: a file the tip names, numbered from 1 in the tip's order, with everything its
/// entry said (the wrapped key included: only the download route unwraps it).
/// </summary>
public sealed record TipAttachment(string TipId, int Number, AttachmentState State, AttachmentEntry Entry)
{
    /// <summary>What decryption checks of the file (<see cref="AttachmentDecryptor"/>).</summary>
    public StoredAttachment ToStored() =>
        new(Entry.Upload, Entry.Chunks, Entry.ChunkBytes, Entry.Size, Entry.Digest, Entry.Sha256);
}

/// <summary>
/// A tip's files at rest (docs/attachments.md, "Storage"): rows of table <c>Attachments</c> (PartitionKey the tip id,
/// RowKey the number as two digits) and the attached ciphertext in container <c>attachments</c>. Every method throws
/// <see cref="Intake.StorageUnavailableException"/> when storage cannot be reached.
/// </summary>
public interface ITipAttachmentStore
{
    /// <summary>Writes the row (insert or replace): each binding step is idempotent.</summary>
    Task PutAsync(TipAttachment attachment, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the row unless the tip already has one with this number (false then): an <c>awaited</c> row never
    /// replaces one that a concurrent delivery of the same tip has attached.
    /// </summary>
    Task<bool> TryAddAsync(TipAttachment attachment, CancellationToken cancellationToken);

    Task<TipAttachment?> GetAsync(string tipId, int number, CancellationToken cancellationToken);

    /// <summary>The tip's files in number order; empty when it names none.</summary>
    Task<IReadOnlyList<TipAttachment>> ListAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>
    /// The attached file's ciphertext (<c>attachments/&lt;tip id&gt;/&lt;n&gt;</c>), read in ranges of
    /// <paramref name="chunkBytes"/> as it is consumed; null when there is no such blob.
    /// </summary>
    Task<Stream?> OpenCiphertextAsync(string tipId, int number, int chunkBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Every <c>awaited</c> row of every tip, with the time it was written (the table's own <c>Timestamp</c>: an awaited
    /// row is written once), for the sweep.
    /// </summary>
    IAsyncEnumerable<(TipAttachment Attachment, DateTimeOffset WrittenAt)> ListAwaitedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The id of every tip with a row in <c>Attachments</c> or a blob under <c>attachments/&lt;tip id&gt;/</c>, each
    /// once: for retention to find the files of a tip whose purge stopped half-way. Keys and blob prefixes only.
    /// </summary>
    Task<IReadOnlySet<string>> ListTipIdsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Retention's purge of a tip: deletes its files (<c>attachments/&lt;tip id&gt;/*</c>), then its rows; the number of
    /// rows deleted. Repeating it is harmless.
    /// </summary>
    Task<int> DeleteAllAsync(string tipId, CancellationToken cancellationToken);
}
