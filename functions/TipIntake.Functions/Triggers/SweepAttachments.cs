using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// Timer trigger, every 15 minutes: the attachment sweep (<see cref="AttachmentSweep"/>, docs/attachments.md,
/// "Processing: binding, quarantine"). A failed run throws; the next occurrence takes it up again.
/// </summary>
/// <remarks>
/// The schedule is a literal, as <see cref="PurgeExpired"/>'s; to stop it, set <c>AzureWebJobs.SweepAttachments.Disabled=true</c>
/// (the daily retention run still sweeps once a day).
/// </remarks>
public sealed class SweepAttachments(AttachmentSweep sweep, TimeProvider time)
{
    /// <summary>Six-field NCRONTAB (seconds first), UTC.</summary>
    public const string Schedule = "0 */15 * * * *";

    [Function(nameof(SweepAttachments))]
    public async Task Run([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await sweep.RunAsync(time.GetUtcNow(), cancellationToken);
    }
}
