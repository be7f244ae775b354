using System.Reflection;
using Microsoft.Azure.WebJobs;
using TipIntake.Functions.Functions;
using WorkerTimerInfo = Microsoft.Azure.Functions.Worker.TimerInfo;

namespace TipIntake.LocalHost.Hosting;

/// <summary>
/// The timer functions as the WebJobs SDK sees them (<c>AddTimers()</c>; a blob lease on the host storage keeps one
/// instance per schedule). Like <see cref="QueueFunctionAdapters"/>, each method only hands over to the same function
/// class the Functions host runs. The schedule is the function's own constant, so the two cannot drift.
/// </summary>
public sealed class TimerFunctionAdapters(IServiceScopeFactory scopes)
{
    [FunctionName(nameof(PurgeExpired))]
    public async Task PurgeExpiredAsync([TimerTrigger(PurgeExpired.Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PurgeExpired>().Run(new WorkerTimerInfo { IsPastDue = timer.IsPastDue }, cancellationToken);
    }

    [FunctionName(nameof(RepairTriageIndex))]
    public async Task RepairTriageIndexAsync([TimerTrigger(RepairTriageIndex.Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RepairTriageIndex>().Run(new WorkerTimerInfo { IsPastDue = timer.IsPastDue }, cancellationToken);
    }

    internal static IEnumerable<ServedFunction> Describe() =>
        from method in typeof(TimerFunctionAdapters).GetMethods()
        let name = method.GetCustomAttribute<FunctionNameAttribute>()
        where name is not null
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).Single(a => a is not null)!
        select new ServedFunction(name.Name, "timerTrigger", Schedule: trigger.ScheduleExpression);
}
