using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Keys;

/// <summary>Section <c>KeyCheck</c>: when the daily check of the intake key starts to warn.</summary>
public sealed class IntakeKeyCheckOptions
{
    public const string SectionName = "KeyCheck";

    /// <summary>
    /// Warn when the current version expires within this. The rotation policy makes a new version 60 days before
    /// expiry, so a current version this close to its end means the rotation did not happen. 1 to 365 days.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan WarnBefore { get; set; } = TimeSpan.FromDays(45);
}

/// <summary>Checks <see cref="IntakeKeyCheckOptions"/> at start-up: generated at compile time from its annotations.</summary>
[OptionsValidator]
public sealed partial class IntakeKeyCheckOptionsValidator : IValidateOptions<IntakeKeyCheckOptions>;
