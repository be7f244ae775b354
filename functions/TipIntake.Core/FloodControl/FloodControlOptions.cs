using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.FloodControl;

/// <summary>Section <c>FloodControl</c>: the proof-of-work stamp and the global limits (docs/flood-control.md).</summary>
public sealed class FloodControlOptions : IValidatableObject
{
    public const string SectionName = "FloodControl";

    /// <summary>
    /// The HMAC-SHA-256 key that signs challenges (base64, at least 32 bytes). Set it to the same value on every
    /// instance so that a challenge issued by one is accepted by another. Unset, each process makes its own key at
    /// start: a challenge is then valid only on the instance that issued it.
    /// </summary>
    public string? ChallengeKey { get; set; }

    /// <summary>How long a challenge may be solved and used.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:30:00")]
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Below this many stamped submissions in the last minute, the difficulty is zero.</summary>
    [Range(1, 1_000_000)]
    public int QuietRatePerMinute { get; set; } = 30;

    /// <summary>The highest difficulty ever asked for, in leading zero bits (20 ≈ a million hashes).</summary>
    [Range(0, 32)]
    public int MaxDifficulty { get; set; } = 20;

    /// <summary>Accepted submissions per second, both paths together, that the queue is fed at most (token bucket rate).</summary>
    [Range(0.001, 10_000)]
    public double MaxSubmissionsPerSecond { get; set; } = 10;

    /// <summary>How many submissions may be accepted at once above the steady rate (token bucket size).</summary>
    [Range(1, 100_000)]
    public int SubmissionBurst { get; set; } = 100;

    /// <summary>Accepted no-script (<c>POST /submit</c>) submissions per minute: that path cannot do proof-of-work.</summary>
    [Range(0.01, 10_000)]
    public double MaxFormSubmissionsPerMinute { get; set; } = 6;

    /// <summary>How many no-script submissions may be accepted at once above that rate.</summary>
    [Range(1, 10_000)]
    public int FormSubmissionBurst { get; set; } = 6;

    /// <summary>
    /// A safety bound on the spent-challenge set. Entries are only added with a token of the global bucket, so it
    /// holds at most <c>SubmissionBurst + MaxSubmissionsPerSecond × ChallengeLifetime</c> unexpired nonces.
    /// </summary>
    [Range(1_000, 10_000_000)]
    public int MaxSpentChallenges { get; set; } = 200_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(ChallengeKey) && ChallengeKeyBytes() is not { Length: >= 32 })
        {
            yield return new ValidationResult(
                "FloodControl:ChallengeKey must be at least 32 bytes, base64-encoded (or unset: a per-process key).", [nameof(ChallengeKey)]);
        }
    }

    internal byte[]? ChallengeKeyBytes()
    {
        if (string.IsNullOrEmpty(ChallengeKey))
        {
            return null;
        }

        var buffer = new byte[ChallengeKey.Length];
        return Convert.TryFromBase64String(ChallengeKey, buffer, out var written) ? buffer[..written] : null;
    }
}
