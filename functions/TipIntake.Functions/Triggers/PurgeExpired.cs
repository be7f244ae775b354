using TipIntake.Core.Retention;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// Timer trigger, daily at 03:30 UTC: ends follow-up for reports closed longer than <c>FollowUp:AccessAfterClose</c>,
/// then purges closed tips and quarantined messages past their retention, with their
/// claim-checked JWEs (and files), and claim-checked JWEs left behind (<see cref="RetentionOptions"/>), then runs the
/// attachment sweep once (not in a dry run). A failed run throws; the timer tries again at its next occurrence.
/// </summary>
/// <remarks>
/// The schedule is a literal, not <c>%Retention:Schedule%</c>: an app-setting expression that does not resolve stops
/// the Functions host from indexing the function, and app settings have no default. To change it, change
/// <see cref="Schedule"/>; to stop it, set <c>AzureWebJobs.PurgeExpired.Disabled=true</c>.
/// </remarks>
public sealed class PurgeExpired(RetentionService retention, Core.FollowUp.FollowUpExpiry followUp, TimeProvider time, ILogger<PurgeExpired> logger)
{
    /// <summary>
    /// Six-field NCRONTAB (seconds first), always UTC: Flex Consumption does not support <c>WEBSITE_TIME_ZONE</c>
    /// (nor <c>TZ</c>), and the templates set neither.
    /// </summary>
    public const string Schedule = "0 30 3 * * *";

    [Function(nameof(PurgeExpired))]
    public async Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);

        // Threads of reports closed long enough lose their sealed key first (it logs its own counts); the purge follows.
        await followUp.RunAsync(time.GetUtcNow(), cancellationToken);
        var report = await retention.RunAsync(time.GetUtcNow(), cancellationToken);
        logger.LogRetentionReport(
            report.DryRun,
            report.ClosedTipsFound,
            report.ClosedTipsPurged,
            report.QuarantineFound,
            report.QuarantinePurged,
            report.OrphanClaimChecksFound,
            report.OrphanClaimChecksPurged,
            timer.IsPastDue);
    }
}

internal static partial class PurgeExpiredLog
{
    [LoggerMessage(5101, LogLevel.Information, "Retention run done (dry run: {DryRun}): closed tips {ClosedTipsFound} found, {ClosedTipsPurged} purged; quarantine {QuarantineFound} found, {QuarantinePurged} purged; claim-checks left behind {OrphanClaimChecksFound} found, {OrphanClaimChecksPurged} deleted; past due: {IsPastDue}")]
    public static partial void LogRetentionReport(
        this ILogger logger,
        bool dryRun,
        int closedTipsFound,
        int closedTipsPurged,
        int quarantineFound,
        int quarantinePurged,
        int orphanClaimChecksFound,
        int orphanClaimChecksPurged,
        bool isPastDue);
}
