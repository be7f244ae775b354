using Microsoft.Azure.Functions.Worker;
using TipIntake.Infrastructure.Backup;

namespace TipIntake.Functions.Functions;

/// <summary>
/// Timer trigger, daily at 02:30 UTC (an hour before retention purges): a snapshot of Tips, TipNotes, TipEvents and
/// Quarantine into the blob container <c>tips-backup</c> (<see cref="TableBackup"/>). A failed run throws; an alert
/// fires when no snapshot was written for a day. Restore with <c>TipIntake.Operations</c> (docs/deploy.md).
/// </summary>
/// <remarks>Schedules are UTC: Flex Consumption has no <c>WEBSITE_TIME_ZONE</c>.</remarks>
public sealed class BackupTables(TableBackup backup)
{
    /// <summary>Six-field NCRONTAB (seconds first), UTC.</summary>
    public const string Schedule = "0 30 2 * * *";

    [Function(nameof(BackupTables))]
    public async Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await backup.ExportAsync(cancellationToken);
    }
}
