using Microsoft.Extensions.Logging;
using TipIntake.Core.Keys;

namespace TipIntake.Infrastructure;

/// <summary>The infrastructure's log lines: failure names, codes and key versions only; never keys, tokens or content.</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Warning, "Could not refresh the intake public key from Key Vault ({Failure}, treated as {Kind})")]
    public static partial void PublicKeyRefreshFailed(ILogger logger, string failure, IntakeKeyFailure kind);

    [LoggerMessage(3002, LogLevel.Warning, "Could not check a key version at intake ({Failure}, treated as {Kind}); accepted for the processor to decide")]
    public static partial void KeyVersionCheckDeferred(ILogger logger, string failure, IntakeKeyFailure kind);

    [LoggerMessage(3003, LogLevel.Warning, "Key Vault unwrap failed ({Failure}, treated as {Kind})")]
    public static partial void UnwrapFailed(ILogger logger, string failure, IntakeKeyFailure kind);

    [LoggerMessage(3004, LogLevel.Error, "The current intake key version {KeyVersion} is expired or not yet valid; rotate it now (see docs/keys.md)")]
    public static partial void CurrentKeyOutsideValidity(ILogger logger, string keyVersion);
}
