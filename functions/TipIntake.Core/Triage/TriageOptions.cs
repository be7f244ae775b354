using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Triage;

/// <summary>Section <c>Triage</c> (its <c>Auth</c> subsection belongs to staff authentication).</summary>
public sealed class TriageOptions
{
    public const string SectionName = "Triage";

    /// <summary>An imminent tip still new or in review and unchanged for this long is overdue.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan OverdueAfter { get; set; } = TimeSpan.FromHours(2);
}
