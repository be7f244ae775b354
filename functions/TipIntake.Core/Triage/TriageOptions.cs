using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Triage;

/// <summary>Section <c>Triage</c> (its <c>Auth</c> subsection belongs to staff authentication).</summary>
public sealed class TriageOptions : IValidatableObject
{
    public const string SectionName = "Triage";

    /// <summary>An imminent tip still new or in review and unchanged for this long is overdue.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan OverdueAfter { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// The secret key of the index's keyed hashes (base64, at least 32 random bytes): words, places, contacts,
    /// assignees and labels appear in the index tables only hashed under it (docs/triage.md, "What the index holds").
    /// Keep it stable: with another key the index no longer finds what it holds, until the repair job rebuilds it.
    /// Generated into <c>.local/</c> in Development.
    /// </summary>
    [Required(ErrorMessage = "Triage:IndexKey is required: at least 32 random bytes, base64-encoded.")]
    public string IndexKey { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IndexKeyBytes() is not { Length: >= 32 })
        {
            yield return new ValidationResult("Triage:IndexKey must be at least 32 bytes, base64-encoded.", [nameof(IndexKey)]);
        }
    }

    public byte[]? IndexKeyBytes()
    {
        var buffer = new byte[IndexKey.Length];
        return Convert.TryFromBase64String(IndexKey, buffer, out var written) ? buffer[..written] : null;
    }
}

/// <summary>Checks <see cref="TriageOptions"/> at start-up: generated at compile time from its annotations and its own checks.</summary>
[OptionsValidator]
public sealed partial class TriageOptionsValidator : IValidateOptions<TriageOptions>;
