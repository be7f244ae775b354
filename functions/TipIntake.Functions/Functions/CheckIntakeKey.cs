using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Keys;

namespace TipIntake.Functions.Functions;

/// <summary>
/// Timer trigger, daily at 04:00 UTC: reads the intake key's current version from the key store and logs how long it
/// has left (<see cref="IntakeKeyCheck"/>). Alerts fire when it expires soon, has expired, cannot be read (the run
/// fails), or when this check has not run for a day (docs/deploy.md, "Alerts").
/// </summary>
/// <remarks>Schedules are UTC: Flex Consumption has no <c>WEBSITE_TIME_ZONE</c>.</remarks>
public sealed class CheckIntakeKey(IntakeKeyCheck check)
{
    /// <summary>Six-field NCRONTAB (seconds first), UTC.</summary>
    public const string Schedule = "0 0 4 * * *";

    [Function(nameof(CheckIntakeKey))]
    public async Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await check.RunAsync(cancellationToken);
    }
}
