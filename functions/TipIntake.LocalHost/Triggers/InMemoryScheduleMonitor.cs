using Microsoft.Azure.WebJobs.Extensions.Timers;

namespace TipIntake.LocalHost.Triggers;

/// <summary>
/// The timer schedule status kept in memory. Microsoft.Azure.WebJobs.Extensions 3.0.6 (the newest served) keeps it in
/// blob storage through the old storage SDK and a type that Microsoft.Azure.WebJobs.Host.Storage 5 no longer has, so
/// its StorageScheduleMonitor cannot even load here. The cost is local only: after a restart the local host does not
/// catch up on an occurrence it missed. The Functions host in Azure keeps the status in storage as usual.
/// </summary>
internal sealed class InMemoryScheduleMonitor : ScheduleMonitor
{
    private readonly Dictionary<string, ScheduleStatus> _statuses = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public override Task<ScheduleStatus> GetStatusAsync(string timerName)
    {
        lock (_gate)
        {
            return Task.FromResult(_statuses.GetValueOrDefault(timerName)!);
        }
    }

    public override Task UpdateStatusAsync(string timerName, ScheduleStatus status)
    {
        lock (_gate)
        {
            _statuses[timerName] = status;
        }

        return Task.CompletedTask;
    }
}
