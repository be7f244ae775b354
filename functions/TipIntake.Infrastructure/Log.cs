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

    /// <summary>What the "backup has not run" alert looks for (infra/modules/alerts.bicep). Counts only; the name holds the hour.</summary>
    [LoggerMessage(6101, LogLevel.Information, "Table backup {Snapshot} written: {Tips} tips, {Notes} notes, {Events} audit events, {Quarantine} quarantined messages")]
    public static partial void TableBackupCompleted(ILogger logger, string snapshot, long tips, long notes, long events, long quarantine);

    [LoggerMessage(6102, LogLevel.Error, "Table backup failed while reading or writing {Table} ({ErrorType}); the snapshot has no manifest and is never restored")]
    public static partial void TableBackupFailed(ILogger logger, string table, string errorType);

    [LoggerMessage(6103, LogLevel.Information, "Restored {Table} from snapshot {Snapshot}: {Added} added, {AlreadyThere} already there, {Replaced} replaced")]
    public static partial void TableRestored(ILogger logger, string snapshot, string table, long added, long alreadyThere, long replaced);

    [LoggerMessage(6104, LogLevel.Warning, "Backup snapshot {Snapshot} does not match its manifest")]
    public static partial void BackupNotWhole(ILogger logger, string snapshot);
}
