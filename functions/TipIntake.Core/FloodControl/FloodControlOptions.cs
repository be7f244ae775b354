using System.ComponentModel.DataAnnotations;

namespace TipIntake.Core.FloodControl;

/// <summary>Section <c>FloodControl</c>: proof-of-work stamps, the adaptive floor, the no-script lane (docs/flood-control.md).</summary>
public sealed class FloodControlOptions : IValidatableObject
{
    public const string SectionName = "FloodControl";

    /// <summary>
    /// The HMAC-SHA-256 key that signs challenges and form tickets (base64, at least 32 bytes). Set it to the same
    /// value on every instance so that a challenge issued by one is accepted by another. Unset, each process makes its
    /// own key at start: a challenge is then valid only on the instance that issued it.
    /// </summary>
    public string? ChallengeKey { get; set; }

    /// <summary>How long a challenge may be solved and used.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:30:00")]
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// R: the rate of accepted script-path submissions, all instances together, that the floor steers towards under a
    /// flood. A flooder's accepted rate settles between R/2 and R whatever its hashing power; a reporter pays about
    /// (the flooder's hashes per second) / (R × the reporter's) seconds, once (docs/flood-control.md, "The floor").
    /// </summary>
    [Range(0.05, 1_000)]
    public double TargetAcceptedPerSecond { get; set; } = 5;

    /// <summary>
    /// How often the floor is recomputed from the accepted rate of the period before (all instances). At least 3 s:
    /// a period's total is taken 1.5 s after it ends, once every instance has published it (they do once a second).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "00:01:00")]
    public TimeSpan FloorPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the accepted rate must stay below half the target before the floor falls one bit; each further bit
    /// waits twice as long as the one before (at most 32 times). Slow on purpose: a flooder who pauses to let the price
    /// fall must wait longer than the cheaper flood is worth (docs/flood-control.md, "The floor").
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan FloorFallAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><see cref="FloorFallAfter"/> in periods (at least one).</summary>
    internal int FallAfterPeriods => Math.Max(1, (int)Math.Round(FloorFallAfter / FloorPeriod));

    /// <summary>The highest floor ever asked for, in leading zero bits (28 ≈ 268 million hashes: about a minute on a fast phone).</summary>
    [Range(0, 32)]
    public int MaxFloor { get; set; } = 28;

    /// <summary>
    /// When the main processing lane holds more than this many messages, the suggested effort is one bit above the
    /// floor: what is accepted at it is processed ahead of what was paid less for (docs/flood-control.md, "Lanes").
    /// </summary>
    [Range(1, 1_000_000)]
    public int BacklogThreshold { get; set; } = 100;

    /// <summary>Accepted no-script (<c>POST /submit</c>) submissions per minute, all instances together: that path cannot do proof-of-work.</summary>
    [Range(0.01, 10_000)]
    public double MaxFormSubmissionsPerMinute { get; set; } = 6;

    /// <summary>How many no-script submissions may be accepted at once above that rate.</summary>
    [Range(1, 10_000)]
    public int FormSubmissionBurst { get; set; } = 6;

    /// <summary>
    /// How long a no-script form page may be filled in before it must be sent again: its ticket expires, and a ticket
    /// is good for one accepted report (so that reloading the receipt page does not show the receipt again).
    /// </summary>
    [Range(typeof(TimeSpan), "00:10:00", "1.00:00:00")]
    public TimeSpan FormTicketLifetime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A safety bound on the spent-challenge set of one instance (the floor keeps it far below).</summary>
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

    internal byte[]? ChallengeKeyBytes() => Base64Setting.Decode(ChallengeKey);
}

/// <summary>Checks <see cref="FloodControlOptions"/> at start-up: generated at compile time from its annotations and its own checks.</summary>
[OptionsValidator]
public sealed partial class FloodControlOptionsValidator : IValidateOptions<FloodControlOptions>;
