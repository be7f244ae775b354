using TipIntake.Core.Triage.Index;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// Timer trigger, daily at 04:15 UTC: reconciles the triage index with <c>Tips</c> (<see cref="TriageIndexRepair"/>):
/// pending markers, tips never indexed (after an upgrade), stale or missing view entries, counts. A failed run throws;
/// the timer tries again at its next occurrence. Run it at once with the Functions admin API
/// (<c>POST /admin/functions/RepairTriageIndex</c>, master key) — e.g. right after upgrading to a version with the index.
/// </summary>
public sealed class RepairTriageIndex(TriageIndexRepair repair, ILogger<RepairTriageIndex> logger)
{
    /// <summary>Six-field NCRONTAB (seconds first); a literal for the reason <see cref="PurgeExpired"/> gives.</summary>
    public const string Schedule = "0 15 4 * * *";

    [Function(nameof(RepairTriageIndex))]
    public async Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var report = await repair.RunAsync(cancellationToken);
        logger.LogRepairReport(report.TipsChecked, report.MarkersCompleted, report.TipsIndexed, report.TipsCorrected, report.CountsCorrected, timer.IsPastDue);
    }
}

internal static partial class RepairTriageIndexLog
{
    [LoggerMessage(4110, LogLevel.Information, "Index repair done: {TipsChecked} tips checked, {MarkersCompleted} markers completed, {TipsIndexed} indexed anew, {TipsCorrected} corrected, {CountsCorrected} counts corrected; past due: {IsPastDue}")]
    public static partial void LogRepairReport(
        this ILogger logger, int tipsChecked, int markersCompleted, int tipsIndexed, int tipsCorrected, int countsCorrected, bool isPastDue);
}
