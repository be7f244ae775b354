using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Intake;

/// <summary>Section <c>Intake</c>.</summary>
public sealed class IntakeOptions : IValidatableObject
{
    public const string SectionName = "Intake";

    /// <summary>
    /// The secret pepper (base64, at least 32 random bytes) that keys the stored receipt hashes and derives tip ids and
    /// receipts (docs/security.md, "Receipts"). Keep it out of storage and the same for the life of the data: a new
    /// pepper makes the receipts issued under the old one unverifiable.
    /// </summary>
    [Required(ErrorMessage = "Intake:ReceiptPepper is required: at least 32 random bytes, base64-encoded, kept secret.")]
    public string ReceiptPepper { get; set; } = "";

    /// <summary>
    /// The public salt receipts were hashed with before the pepper (base64, at least 16 bytes): optional, kept only so
    /// that receipts issued before it can still be verified (<see cref="ReceiptIssuer.Matches"/>).
    /// </summary>
    public string? ReceiptSalt { get; set; }

    /// <summary>How long a client is told to wait when storage is unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Base64Setting.Decode(ReceiptPepper) is not { Length: >= 32 })
        {
            yield return new ValidationResult(
                "Intake:ReceiptPepper must be at least 32 random bytes, base64-encoded.", [nameof(ReceiptPepper)]);
        }

        if (!string.IsNullOrEmpty(ReceiptSalt) && Base64Setting.Decode(ReceiptSalt) is not { Length: >= 16 })
        {
            yield return new ValidationResult(
                "Intake:ReceiptSalt, when set (to verify receipts issued before the pepper), must be at least 16 bytes, base64-encoded.", [nameof(ReceiptSalt)]);
        }
    }

    /// <summary>The pepper, for every value keyed by it (receipts, follow-up); <see cref="Validate"/> has checked it at start-up.</summary>
    internal byte[] ReceiptPepperBytes() => Base64Setting.Decode(ReceiptPepper)
        ?? throw new InvalidOperationException("Intake:ReceiptPepper is not valid base64.");

    internal byte[]? ReceiptSaltBytes() => Base64Setting.Decode(ReceiptSalt);
}

/// <summary>Checks <see cref="IntakeOptions"/> at start-up: generated at compile time from its annotations and its own checks.</summary>
[OptionsValidator]
public sealed partial class IntakeOptionsValidator : IValidateOptions<IntakeOptions>;
