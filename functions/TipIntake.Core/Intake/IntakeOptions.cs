using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.Intake;

/// <summary>Section <c>Intake</c>.</summary>
public sealed class IntakeOptions : IValidatableObject
{
    public const string SectionName = "Intake";

    /// <summary>
    /// Salt for receipt hashes (base64, at least 16 bytes). Not a secret: the receipt's 100 random bits make it
    /// unguessable; the salt only keeps hashes from one deployment from matching another's.
    /// </summary>
    [Required(ErrorMessage = "Intake:ReceiptSalt is required: at least 16 random bytes, base64-encoded.")]
    public string ReceiptSalt { get; set; } = "";

    /// <summary>How long a client is told to wait when storage is unavailable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReceiptSaltBytes() is not { Length: >= 16 })
        {
            yield return new ValidationResult(
                "Intake:ReceiptSalt must be at least 16 bytes, base64-encoded.", [nameof(ReceiptSalt)]);
        }
    }

    internal byte[]? ReceiptSaltBytes()
    {
        var buffer = new byte[ReceiptSalt.Length];
        return Convert.TryFromBase64String(ReceiptSalt, buffer, out var written) ? buffer[..written] : null;
    }
}
