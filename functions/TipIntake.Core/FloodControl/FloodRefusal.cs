namespace TipIntake.Core.FloodControl;

/// <summary>Why flood control held a submission back. Each has its own problem type (docs/flood-control.md).</summary>
public enum FloodRefusal
{
    /// <summary>No <c>TipIntake-Stamp</c> header (428).</summary>
    StampRequired,

    /// <summary>The header is not <c>challenge:counter</c> in the documented syntax (400).</summary>
    StampMalformed,

    /// <summary>The challenge was not issued by this service (its MAC does not verify) (403).</summary>
    StampInvalid,

    /// <summary>The challenge's lifetime is over (403; fetch a new one).</summary>
    StampExpired,

    /// <summary>The challenge was already used for a submission (403; fetch a new one).</summary>
    StampReused,

    /// <summary>The hash has fewer leading zero bits than the challenge asked for (403).</summary>
    StampInsufficient,

    /// <summary>The difficulty rose well above the challenge's since it was issued (403; fetch a new one).</summary>
    StampStale,

    /// <summary>The global limit (or, for the no-script path, its own) is reached (429 with Retry-After).</summary>
    RateLimited,
}

public static class FloodRefusals
{
    /// <summary>A stable, kebab-case code for problem types and logs.</summary>
    public static string CodeOf(FloodRefusal refusal) => refusal switch
    {
        FloodRefusal.StampRequired => "stamp-required",
        FloodRefusal.StampMalformed => "stamp-malformed",
        FloodRefusal.StampInvalid => "stamp-invalid",
        FloodRefusal.StampExpired => "stamp-expired",
        FloodRefusal.StampReused => "stamp-reused",
        FloodRefusal.StampInsufficient => "stamp-insufficient",
        FloodRefusal.StampStale => "stamp-stale",
        FloodRefusal.RateLimited => "rate-limited",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };

    /// <summary>What to do, in words a client developer can act on. Never echoes the input.</summary>
    public static string DescribeOf(FloodRefusal refusal) => refusal switch
    {
        FloodRefusal.StampRequired => "Send a proof-of-work stamp in the TipIntake-Stamp header: fetch GET /api/challenge and solve it (see docs/flood-control.md).",
        FloodRefusal.StampMalformed => "The TipIntake-Stamp header must be <challenge>:<counter>, the counter 1 to 16 decimal digits.",
        FloodRefusal.StampInvalid => "The challenge was not issued by this service (or by another instance with a different key). Fetch a new one from GET /api/challenge.",
        FloodRefusal.StampExpired => "The challenge has expired. Fetch a new one from GET /api/challenge.",
        FloodRefusal.StampReused => "The challenge was already used. Each submission needs a fresh challenge from GET /api/challenge.",
        FloodRefusal.StampInsufficient => "SHA-256 of the stamp does not have as many leading zero bits as the challenge's difficulty.",
        FloodRefusal.StampStale => "The difficulty has risen since this challenge was issued. Fetch a new one from GET /api/challenge.",
        FloodRefusal.RateLimited => "Too many reports are arriving right now; nothing was kept. Send it again after the time in Retry-After.",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };
}
