namespace TipIntake.Core;

/// <summary>Retention's log lines: counts, actions and failure types only; never a tip id or content.</summary>
internal static partial class Log
{
    [LoggerMessage(5001, LogLevel.Information, "Retention: {ClosedTips} closed tips purged ({ClosedTipsSkipped} changed meanwhile and kept), {QuarantineItems} quarantined messages purged ({QuarantineSkipped} kept)")]
    public static partial void RetentionPurged(ILogger logger, int closedTips, int closedTipsSkipped, int quarantineItems, int quarantineSkipped);

    [LoggerMessage(5002, LogLevel.Information, "Retention dry run: {ClosedTips} closed tips and {QuarantineItems} quarantined messages would be purged; nothing was deleted")]
    public static partial void RetentionDryRun(ILogger logger, int closedTips, int quarantineItems);

    [LoggerMessage(5003, LogLevel.Error, "Retention: a row was purged ({Action}) but its audit event was not written ({ErrorType}); the run stops")]
    public static partial void RetentionAuditEventLost(ILogger logger, string action, string errorType);

    [LoggerMessage(5004, LogLevel.Information, "Retention: {Orphans} claim-checked JWEs left behind deleted ({Held} as old kept for their quarantine rows)")]
    public static partial void RetentionClaimChecksSwept(ILogger logger, int orphans, int held);

    [LoggerMessage(5005, LogLevel.Information, "Retention dry run: {Orphans} claim-checked JWEs left behind would be deleted ({Held} as old kept for their quarantine rows); nothing was deleted")]
    public static partial void RetentionClaimChecksDryRun(ILogger logger, int orphans, int held);

    [LoggerMessage(5006, LogLevel.Information, "Retention dry run: the attachment sweep was not run (it quarantines)")]
    public static partial void RetentionAttachmentSweepSkipped(ILogger logger);

    [LoggerMessage(5007, LogLevel.Warning, "Retention: files left behind by an earlier purge deleted for {Purged} tips; {Kept} tips with files are not stored and their trail records no purge, so their files are kept (a lost or partly restored Tips table?)")]
    public static partial void RetentionLeftOverFiles(ILogger logger, int purged, int kept);

    [LoggerMessage(5008, LogLevel.Information, "Retention dry run: files left behind by an earlier purge would be deleted for {Purged} tips ({Kept} tips with files are not stored and their trail records no purge: their files would be kept); nothing was deleted")]
    public static partial void RetentionLeftOverFilesDryRun(ILogger logger, int purged, int kept);
}
