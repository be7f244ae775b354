namespace TipIntake.Core;

/// <summary>Attachments' log lines: counts and sizes only — never an upload id, a digest or a key.</summary>
internal static partial class Log
{
    [LoggerMessage(9001, LogLevel.Information, "An upload was completed: {Chunks} chunks of {ChunkBytes} bytes")]
    public static partial void UploadCompleted(ILogger logger, int chunks, int chunkBytes);

    [LoggerMessage(9002, LogLevel.Information, "A tip's file {Number} was attached")]
    public static partial void AttachmentAttached(ILogger logger, int number);

    [LoggerMessage(9003, LogLevel.Information, "A tip's file {Number} awaits its upload")]
    public static partial void AttachmentAwaited(ILogger logger, int number);

    [LoggerMessage(9004, LogLevel.Warning, "A tip's file quarantined: {Reason}")]
    public static partial void AttachmentQuarantined(ILogger logger, string reason);

    [LoggerMessage(9101, LogLevel.Debug, "Attachment {QuarantineId} quarantined: {Reason}")]
    public static partial void AttachmentQuarantinedWithId(ILogger logger, string quarantineId, string reason);

    [LoggerMessage(9005, LogLevel.Information, "Attachment sweep done: {Attached} attached, {Missing} missing, {Orphans} orphan uploads, {Abandoned} abandoned uploads")]
    public static partial void AttachmentSweepDone(ILogger logger, int attached, int missing, int orphans, int abandoned);
}
