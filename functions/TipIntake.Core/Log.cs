using Microsoft.Extensions.Logging;

namespace TipIntake.Core;

/// <summary>
/// Every log line the core writes. Parameters are ids, codes and type names only: by construction no tip content,
/// receipt, key material, address or user agent can reach a log from here.
/// </summary>
internal static partial class Log
{
    /// <summary>No tip id here: with the log's own timestamp it would tie a stored tip to its precise arrival time.</summary>
    [LoggerMessage(1001, LogLevel.Information, "Tip queued")]
    public static partial void SubmissionQueued(ILogger logger);

    [LoggerMessage(1002, LogLevel.Information, "Submission refused: {FaultCode}")]
    public static partial void SubmissionRefused(ILogger logger, string faultCode);

    [LoggerMessage(1003, LogLevel.Warning, "Submission not accepted now, storage or key unavailable ({ErrorType})")]
    public static partial void IntakeUnavailable(ILogger logger, string errorType);

    [LoggerMessage(2001, LogLevel.Information, "Tip {TipId} stored in triage queue {TriageQueue}")]
    public static partial void TipStored(ILogger logger, string tipId, string triageQueue);

    [LoggerMessage(2002, LogLevel.Information, "Tip {TipId} was already stored; redelivery ignored")]
    public static partial void TipAlreadyStored(ILogger logger, string tipId);

    [LoggerMessage(2003, LogLevel.Warning, "Message {QuarantineId} quarantined: {Reason}")]
    public static partial void Quarantined(ILogger logger, string quarantineId, string reason);

    [LoggerMessage(2004, LogLevel.Warning, "Tip {TipId} will be retried (attempt {Attempt}): {Reason}")]
    public static partial void WillRetry(ILogger logger, string tipId, long attempt, string reason);

    [LoggerMessage(2005, LogLevel.Error, "The intake key refused this service (401/403): check the function's identity and its role on the key. Tip {TipId}, attempt {Attempt}")]
    public static partial void KeyAccessDenied(ILogger logger, string tipId, long attempt);

    [LoggerMessage(2006, LogLevel.Warning, "Tip {TipId} is stored but its claim-checked JWE could not be deleted; retention will remove it")]
    public static partial void ClaimCheckLeftBehind(ILogger logger, string tipId);

    /// <summary>
    /// What the staff alert for imminent tips is built on (infra/modules/alerts.bicep): the triage queue only — no tip
    /// id, no content — so that an alert can say nothing more than "an imminent tip is waiting in queue X".
    /// </summary>
    [LoggerMessage(6001, LogLevel.Information, "Imminent tip waiting in triage queue {TriageQueue}")]
    public static partial void ImminentTipWaiting(ILogger logger, string triageQueue);

    [LoggerMessage(4001, LogLevel.Information, "Tip {TipId}: {Action} by staff {Actor}")]
    public static partial void TriageChanged(ILogger logger, string tipId, string action, string actor);

    [LoggerMessage(4002, LogLevel.Information, "Tip {TipId}: {Action} by staff {Actor} refused ({Outcome})")]
    public static partial void TriageChangeRefused(ILogger logger, string tipId, string action, string actor, string outcome);

    [LoggerMessage(4003, LogLevel.Warning, "Tip {TipId}: the audit event of {Action} by staff {Actor} could not be appended yet ({ErrorType}); the tip's row keeps it until the next change or read appends it")]
    public static partial void AuditEventDeferred(ILogger logger, string tipId, string action, string actor, string errorType);

    [LoggerMessage(4004, LogLevel.Warning, "Tip {TipId}: opening by staff {Actor} could not be recorded ({ErrorType}); its content was not shown")]
    public static partial void ViewNotRecorded(ILogger logger, string tipId, string actor, string errorType);

    [LoggerMessage(4101, LogLevel.Warning, "Tip {TipId}: its index work is done but the row's marker could not be cleared ({ErrorType}); the next read does the work again")]
    public static partial void IndexMarkerLeft(ILogger logger, string tipId, string errorType);

    /// <summary>Never what was searched for: only who, how many results, and how much was read.</summary>
    [LoggerMessage(4102, LogLevel.Information, "Search by staff {Actor}: {Results} results (more: {More}), {Reads} index reads")]
    public static partial void Searched(ILogger logger, string actor, int results, bool more, int reads);

    [LoggerMessage(4103, LogLevel.Information, "Tips {TipId} and {OtherId}: {Action} by staff {Actor}")]
    public static partial void RelationDecided(ILogger logger, string tipId, string otherId, string action, string actor);

    [LoggerMessage(4104, LogLevel.Warning, "Index repair: {Fixed} set entries corrected, {Markers} pending markers completed, {Recounted} counts corrected, {Indexed} tips indexed anew")]
    public static partial void IndexRepaired(ILogger logger, int @fixed, int markers, int recounted, int indexed);

    [LoggerMessage(4105, LogLevel.Information, "Index repair: nothing to correct ({Tips} tips checked)")]
    public static partial void IndexConsistent(ILogger logger, int tips);

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

    /// <summary>The daily key check ran; <c>DaysLeft</c> is -1 for a key without expiry (the development key).</summary>
    [LoggerMessage(6010, LogLevel.Information, "Intake key checked: version {KeyVersion}, {DaysLeft} days left")]
    public static partial void IntakeKeyChecked(ILogger logger, string keyVersion, int daysLeft);

    [LoggerMessage(6011, LogLevel.Warning, "Intake key version {KeyVersion} expires in {DaysLeft} days and no newer version has replaced it: rotate it now (see docs/keys.md)")]
    public static partial void IntakeKeyExpiresSoon(ILogger logger, string keyVersion, int daysLeft);

    [LoggerMessage(6012, LogLevel.Error, "Intake key version {KeyVersion} has expired and is still the current one: rotate it now (see docs/keys.md)")]
    public static partial void IntakeKeyExpired(ILogger logger, string keyVersion);

    [LoggerMessage(6013, LogLevel.Error, "Intake key check could not read the key ({Failure})")]
    public static partial void IntakeKeyCheckFailed(ILogger logger, string failure);

    [LoggerMessage(7001, LogLevel.Information, "Flood control: proof-of-work difficulty now {Difficulty} bits ({Count} stamped submissions in the last minute)")]
    public static partial void DifficultyChanged(ILogger logger, int difficulty, long count);

    [LoggerMessage(7002, LogLevel.Warning, "Flood control: {Count} submissions refused by a global rate limit since the last report")]
    public static partial void RateLimited(ILogger logger, long count);

    [LoggerMessage(7003, LogLevel.Debug, "Submission held back by flood control: {RefusalCode}")]
    public static partial void FloodRefused(ILogger logger, string refusalCode);

    [LoggerMessage(7004, LogLevel.Warning, "FloodControl:ChallengeKey is not set: challenges are signed with a key made for this process and are valid on this instance only")]
    public static partial void ChallengeKeyPerProcess(ILogger logger);
}
