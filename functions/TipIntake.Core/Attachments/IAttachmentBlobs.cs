namespace TipIntake.Core.Attachments;

/// <summary>
/// Moves an upload's ciphertext between its places (docs/attachments.md, "Storage"): from
/// <c>attachments-staging/&lt;upload&gt;</c> to a tip's <c>attachments/&lt;tip id&gt;/&lt;n&gt;</c> or to
/// <c>attachments/quarantine/&lt;upload&gt;</c>, by server-side copies in one account. A move is a copy, then
/// <see cref="DeleteStagedAsync"/>: each step may be repeated after a crash. Every method throws
/// <see cref="Intake.StorageUnavailableException"/> when storage cannot be reached.
/// </summary>
public interface IAttachmentBlobs
{
    /// <summary>
    /// Copies the staged blob to the tip's file <paramref name="number"/>. True when the file is there afterwards — also
    /// when the staged blob was already gone because an earlier attempt copied and deleted it; false when neither is.
    /// </summary>
    Task<bool> CopyToTipAsync(UploadId upload, string tipId, int number, CancellationToken cancellationToken);

    /// <summary>Copies the staged blob to the quarantine; true when it is there afterwards (as <see cref="CopyToTipAsync"/>).</summary>
    Task<bool> CopyToQuarantineAsync(UploadId upload, CancellationToken cancellationToken);

    /// <summary>Deletes the staged blob with any uncommitted blocks; nothing when there is none.</summary>
    Task DeleteStagedAsync(UploadId upload, CancellationToken cancellationToken);

    /// <summary>Retention: deletes <c>attachments/quarantine/&lt;upload&gt;</c>; nothing when there is none.</summary>
    Task DeleteQuarantinedAsync(UploadId upload, CancellationToken cancellationToken);
}
