using Microsoft.Extensions.Logging;
using TipIntake.Core.Keys;

namespace TipIntake.Infrastructure;

/// <summary>The infrastructure's log lines: failure names, codes and key versions only; never keys, tokens or content.</summary>
internal static partial class Log
{
    [LoggerMessage(3001, LogLevel.Warning, "Could not refresh the intake public key from Key Vault ({Failure}, treated as {Kind})")]
    public static partial void PublicKeyRefreshFailed(ILogger logger, string failure, IntakeKeyFailure kind);

    [LoggerMessage(3003, LogLevel.Warning, "Key Vault unwrap failed ({Failure}, treated as {Kind})")]
    public static partial void UnwrapFailed(ILogger logger, string failure, IntakeKeyFailure kind);

    [LoggerMessage(3004, LogLevel.Error, "The current intake key version {KeyVersion} is expired or not yet valid; rotate it now (see docs/keys.md)")]
    public static partial void CurrentKeyOutsideValidity(ILogger logger, string keyVersion);

    [LoggerMessage(3201, LogLevel.Debug, "Intake key versions read: {Accepted} of {Listed} accepted (enabled RSA)")]
    public static partial void KeyVersionsRefreshed(ILogger logger, int accepted, int listed);

    [LoggerMessage(3202, LogLevel.Warning, "Could not read the intake key's versions from Key Vault ({Failure}, treated as {Kind}); the last list ({Known} versions) stays in use")]
    public static partial void KeyVersionsRefreshFailed(ILogger logger, string failure, IntakeKeyFailure kind, int known);

    [LoggerMessage(3204, LogLevel.Warning, "Flood control's shared state could not be reached ({Failure}); the floor stays as it was ({FailuresInARow} ticks in a row)")]
    public static partial void FloodStateUnavailable(ILogger logger, string failure, int failuresInARow);
}
