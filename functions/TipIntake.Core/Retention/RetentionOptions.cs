using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Retention;

/// <summary>Section <c>Retention</c>: how long closed tips and quarantined messages are kept. Validated at start-up.</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>A closed tip unchanged for this long (since its last triage change) is purged. 1 day to 10 years.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan ClosedTipsAfter { get; set; } = TimeSpan.FromDays(365);

    /// <summary>A quarantined message older than this (its row's storage timestamp) is purged. 1 day to 10 years.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan QuarantineAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Find and report only: nothing is deleted and no audit event is written.</summary>
    public bool DryRun { get; set; }
}
