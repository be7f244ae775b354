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

    /// <summary>Debug: a flood of refusals must not flood the shipped logs; <see cref="SubmissionsRefused"/> counts them.</summary>
    [LoggerMessage(1002, LogLevel.Debug, "Submission refused: {FaultCode}")]
    public static partial void SubmissionRefused(ILogger logger, string faultCode);

    [LoggerMessage(1003, LogLevel.Warning, "Submission not accepted now, storage or key unavailable ({ErrorType})")]
    public static partial void IntakeUnavailable(ILogger logger, string errorType);

    // Processing happens seconds after arrival, so a tip id in a line that is shipped (Information and above) would,
    // with the line's own timestamp, tie a stored tip to its precise arrival time (issue 13, finding 4). Lines at
    // Information and above name queues, reasons and counts; the tip id is only in a Debug twin, which production's
    // log levels (host.json: Information) never ship.

    [LoggerMessage(2001, LogLevel.Information, "Tip stored in triage queue {TriageQueue}")]
    public static partial void TipStored(ILogger logger, string triageQueue);

    [LoggerMessage(2002, LogLevel.Information, "A tip was already stored; redelivery ignored")]
    public static partial void TipAlreadyStored(ILogger logger);

    [LoggerMessage(2003, LogLevel.Warning, "Message quarantined: {Reason}")]
    public static partial void Quarantined(ILogger logger, string reason);

    [LoggerMessage(2004, LogLevel.Warning, "A tip will be retried (attempt {Attempt}): {Reason}")]
    public static partial void WillRetry(ILogger logger, long attempt, string reason);

    [LoggerMessage(2005, LogLevel.Error, "The intake key refused this service (401/403): check the function's identity and its role on the key. Attempt {Attempt}")]
    public static partial void KeyAccessDenied(ILogger logger, long attempt);

    [LoggerMessage(2006, LogLevel.Warning, "A tip is stored but its claim-checked JWE could not be deleted; retention will remove it")]
    public static partial void ClaimCheckLeftBehind(ILogger logger);

    [LoggerMessage(2110, LogLevel.Debug, "A tip was put back on the {Lane} lane: {Reason}")]
    public static partial void Deferred(ILogger logger, string lane, string reason);

    [LoggerMessage(2101, LogLevel.Debug, "Tip {TipId} stored in triage queue {TriageQueue}")]
    public static partial void TipStoredWithId(ILogger logger, string tipId, string triageQueue);

    [LoggerMessage(2102, LogLevel.Debug, "Tip {TipId} was already stored; redelivery ignored")]
    public static partial void TipAlreadyStoredWithId(ILogger logger, string tipId);

    [LoggerMessage(2103, LogLevel.Debug, "Message {QuarantineId} quarantined: {Reason}")]
    public static partial void QuarantinedWithId(ILogger logger, string quarantineId, string reason);

    [LoggerMessage(2104, LogLevel.Debug, "Tip {TipId} will be retried (attempt {Attempt}): {Reason}")]
    public static partial void WillRetryWithId(ILogger logger, string tipId, long attempt, string reason);

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

    [LoggerMessage(5006, LogLevel.Information, "Retention dry run: the attachment sweep was not run (it quarantines)")]
    public static partial void RetentionAttachmentSweepSkipped(ILogger logger);

    [LoggerMessage(5007, LogLevel.Warning, "Retention: files left behind by an earlier purge deleted for {Purged} tips; {Kept} tips with files are not stored and their trail records no purge, so their files are kept (a lost or partly restored Tips table?)")]
    public static partial void RetentionLeftOverFiles(ILogger logger, int purged, int kept);

    /// <summary>The daily key check ran; <c>DaysLeft</c> is -1 for a key without expiry (the development key).</summary>
    [LoggerMessage(6010, LogLevel.Information, "Intake key checked: version {KeyVersion}, {DaysLeft} days left")]
    public static partial void IntakeKeyChecked(ILogger logger, string keyVersion, int daysLeft);

    [LoggerMessage(6011, LogLevel.Warning, "Intake key version {KeyVersion} expires in {DaysLeft} days and no newer version has replaced it: rotate it now (see docs/keys.md)")]
    public static partial void IntakeKeyExpiresSoon(ILogger logger, string keyVersion, int daysLeft);

    [LoggerMessage(6012, LogLevel.Error, "Intake key version {KeyVersion} has expired and is still the current one: rotate it now (see docs/keys.md)")]
    public static partial void IntakeKeyExpired(ILogger logger, string keyVersion);

    [LoggerMessage(6013, LogLevel.Error, "Intake key check could not read the key ({Failure})")]
    public static partial void IntakeKeyCheckFailed(ILogger logger, string failure);

    [LoggerMessage(7011, LogLevel.Information, "Flood control: the floor is now {Floor} bits (was {Previous}; the last period accepted the work of {Rate} stamps a second at the old floor)")]
    public static partial void FloorChanged(ILogger logger, int previous, int floor, double rate);

    [LoggerMessage(7003, LogLevel.Debug, "Submission held back by flood control: {RefusalCode}")]
    public static partial void FloodRefused(ILogger logger, string refusalCode);

    [LoggerMessage(7020, LogLevel.Information, "Bulk dismissal by staff {Actor}: {Dismissed} tips dismissed, {Skipped} skipped")]
    public static partial void DismissedInBulk(ILogger logger, int dismissed, int skipped, string actor);

    [LoggerMessage(7010, LogLevel.Information, "Submissions refused in the last minute: {Total} ({ByCode})")]
    public static partial void SubmissionsRefused(ILogger logger, long total, string byCode);

    [LoggerMessage(7004, LogLevel.Warning, "FloodControl:ChallengeKey is not set: challenges are signed with a key made for this process and are valid on this instance only")]
    public static partial void ChallengeKeyPerProcess(ILogger logger);
}
