using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Retention;

/// <summary>
/// Section <c>Retention</c>: how long closed tips, quarantined messages and left-behind claim-checked JWEs are kept.
/// Validated at start-up.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>A closed tip unchanged for this long (since its last triage change) is purged. 1 day to 10 years.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan ClosedTipsAfter { get; set; } = TimeSpan.FromDays(365);

    /// <summary>A quarantined message older than this (its row's storage timestamp) is purged. 1 day to 10 years.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan QuarantineAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// A claim-checked JWE (<see cref="Intake.IClaimCheckStore"/>) written longer ago than this and with no
    /// <c>Quarantine</c> row under its name is deleted: its tip was stored and the processor's delete failed, or intake
    /// answered 503 after writing it and nothing was queued. 1 day to 10 years.
    /// </summary>
    /// <remarks>
    /// Inbound messages never expire, so this is also the longest an envelope may wait on the queue: one still waiting
    /// when its JWE is swept finds it gone and is quarantined as <c>jwe-missing</c>, and that tip is lost. Keep it well
    /// above any queue backlog or processing outage you could let run (raise it before such a pause, not after).
    /// </remarks>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan ClaimCheckOrphanAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Find and report only: nothing is deleted and no audit event is written.</summary>
    public bool DryRun { get; set; }
}

/// <summary>Checks <see cref="RetentionOptions"/> at start-up: generated at compile time from its annotations.</summary>
[OptionsValidator]
public sealed partial class RetentionOptionsValidator : IValidateOptions<RetentionOptions>;
