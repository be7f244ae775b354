namespace TipIntake.Core;

/// <summary>
/// Attachments' log lines: counts, sizes, a file's number and the staff member — never an upload id, a digest or a
/// key, nor the tip a file belongs to (the tip's trail records that).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(9001, LogLevel.Information, "An upload was completed: {Chunks} chunks of {ChunkBytes} bytes")]
    public static partial void UploadCompleted(ILogger logger, int chunks, int chunkBytes);

    [LoggerMessage(9002, LogLevel.Error, "A stored attachment failed its integrity check on download ({Fault}): file {Number}, asked for by staff {Actor}; it was not served whole, and the tip's trail records it")]
    public static partial void DownloadIntegrityFailed(ILogger logger, string fault, int number, string actor);

    [LoggerMessage(9003, LogLevel.Warning, "An attachment download by staff {Actor} could not be recorded ({ErrorType}); nothing of the file was read")]
    public static partial void DownloadNotRecorded(ILogger logger, string actor, string errorType);

    [LoggerMessage(9004, LogLevel.Warning, "An attachment's key could not be unwrapped for staff {Actor} ({Failure})")]
    public static partial void DownloadKeyFailed(ILogger logger, string failure, string actor);

    [LoggerMessage(9005, LogLevel.Warning, "The integrity failure of file {Number}, downloaded by staff {Actor}, could not be recorded in the tip's trail ({ErrorType})")]
    public static partial void IntegrityFailureNotRecorded(ILogger logger, int number, string actor, string errorType);

    [LoggerMessage(9006, LogLevel.Warning, "File {Number} was not sent to staff {Actor} to its end: reading or sending it failed ({ErrorType}); the answer was cut off")]
    public static partial void DownloadReadFailed(ILogger logger, int number, string actor, string errorType);

    [LoggerMessage(9010, LogLevel.Information, "A tip's file {Number} was attached")]
    public static partial void AttachmentAttached(ILogger logger, int number);

    [LoggerMessage(9011, LogLevel.Information, "A tip's file {Number} awaits its upload")]
    public static partial void AttachmentAwaited(ILogger logger, int number);

    [LoggerMessage(9012, LogLevel.Warning, "A tip's file quarantined: {Reason}")]
    public static partial void AttachmentQuarantined(ILogger logger, string reason);

    [LoggerMessage(9020, LogLevel.Warning, "Uploads are refused: {MaxOpenUploads} are open (Attachments:MaxOpenUploads); said at most once a minute per instance")]
    public static partial void UploadsAtLimit(ILogger logger, int maxOpenUploads);

    [LoggerMessage(9101, LogLevel.Debug, "Attachment {QuarantineId} quarantined: {Reason}")]
    public static partial void AttachmentQuarantinedWithId(ILogger logger, string quarantineId, string reason);

    [LoggerMessage(9013, LogLevel.Information, "Attachment sweep done: {Attached} attached, {Missing} missing, {Orphans} orphan uploads, {Abandoned} abandoned uploads")]
    public static partial void AttachmentSweepDone(ILogger logger, int attached, int missing, int orphans, int abandoned);
}
