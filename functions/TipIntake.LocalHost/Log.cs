using Microsoft.Extensions.Logging;

namespace TipIntake.LocalHost;

/// <summary>The local host's own log lines.</summary>
internal static partial class Log
{
    [LoggerMessage(9001, LogLevel.Warning, "Stopped without reaching storage ({ErrorType}); leases left behind expire by themselves")]
    public static partial void StopWithoutStorage(ILogger logger, string errorType);
}
