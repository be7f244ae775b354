using TipIntake.Infrastructure.Backup;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// Daily timers that hand the run to one service. A failed run throws; an alert fires when one has not reported for a
/// day (docs/deploy.md, "Alerts"). Schedules are six-field NCRONTAB (seconds first), always UTC: Flex Consumption has no
/// <c>WEBSITE_TIME_ZONE</c>.
/// </summary>
public sealed class DailyJobs(TableBackup backup, IntakeKeyCheck keyCheck)
{
    /// <summary>02:30 UTC, an hour before retention purges.</summary>
    public const string BackupSchedule = "0 30 2 * * *";

    public const string KeyCheckSchedule = "0 0 4 * * *";

    /// <summary>
    /// A snapshot of Tips, TipNotes, TipEvents and Quarantine into the blob container <c>tips-backup</c>
    /// (<see cref="TableBackup"/>). Restore with <c>TipIntake.Operations</c> (docs/deploy.md).
    /// </summary>
    [Function("BackupTables")]
    public Task BackupTables([TimerTrigger(BackupSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        backup.ExportAsync(cancellationToken);

    /// <summary>
    /// Reads the intake key's current version from the key store and logs how long it has left (<see cref="IntakeKeyCheck"/>):
    /// alerts fire when it expires soon, has expired, or cannot be read (the run fails).
    /// </summary>
    [Function("CheckIntakeKey")]
    public Task CheckIntakeKey([TimerTrigger(KeyCheckSchedule)] TimerInfo timer, CancellationToken cancellationToken) =>
        keyCheck.RunAsync(cancellationToken);
}
