namespace TipIntake.Core;

/// <summary>Attachments' log lines: counts and sizes only — never an upload id, a digest or a key.</summary>
internal static partial class Log
{
    [LoggerMessage(9001, LogLevel.Information, "An upload was completed: {Chunks} chunks of {ChunkBytes} bytes")]
    public static partial void UploadCompleted(ILogger logger, int chunks, int chunkBytes);
}
