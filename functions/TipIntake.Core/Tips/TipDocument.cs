namespace TipIntake.Core.Tips;

/// <summary>
/// Tip schema v1 as it arrives inside the JWE (docs/architecture.md, "Tip schema v1"). Every member is nullable so that the
/// validator, not the deserialiser, says what is missing; unknown members are refused by the serialiser options.
/// </summary>
public sealed record TipDocument
{
    public string? Category { get; init; }

    public string? Narrative { get; init; }

    public LocationDocument? Location { get; init; }

    public ObservedDocument? Observed { get; init; }

    public int? PeopleCount { get; init; }

    public string? Urgency { get; init; }

    public string? Language { get; init; }

    public string? Contact { get; init; }

    /// <summary>
    /// Optional enrolment for anonymous follow-up (docs/follow-up.md, "The protocol" §1), read as it came so that an
    /// invalid one is checked by <see cref="FollowUp.FollowUpReader"/> and recorded, never a reason to refuse the tip.
    /// </summary>
    public JsonElement? FollowUp { get; init; }

    /// <summary>
    /// Optional files the tip names (docs/attachments.md, "Name the files in the tip"), read as they came so that
    /// <see cref="Attachments.AttachmentManifestReader"/> names a bad entry and its fault, never a reason to refuse the tip.
    /// </summary>
    public JsonElement? Attachments { get; init; }

    /// <summary>Filler so that the ciphertext's length reveals little; read and thrown away.</summary>
    public string? Padding { get; init; }
}

public sealed record LocationDocument
{
    public string? Country { get; init; }

    public string? Region { get; init; }

    public string? Place { get; init; }
}

public sealed record ObservedDocument
{
    public string? From { get; init; }

    public string? To { get; init; }
}
