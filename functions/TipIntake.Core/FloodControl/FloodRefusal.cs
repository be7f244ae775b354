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

    /// <summary>The hash has fewer leading zero bits than the challenge itself asked for: a client bug (403).</summary>
    StampInsufficient,

    /// <summary>
    /// The stamp is valid but its effort is below the current floor (the floor rose since the challenge was issued):
    /// 403 with the effort that is accepted now; keep searching on the same challenge.
    /// </summary>
    EffortTooLow,

    /// <summary>No-script path: its own lane is full (429 with Retry-After); and the one-instance safety bound.</summary>
    RateLimited,

    /// <summary>No-script path: the page's ticket is missing, altered or not issued here (the form comes back, 400).</summary>
    TicketInvalid,

    /// <summary>No-script path: the page was open longer than a ticket lives (the form comes back, 400).</summary>
    TicketExpired,

    /// <summary>No-script path: this page's report was already received; its receipt is not shown again (409).</summary>
    TicketUsed,
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
        FloodRefusal.EffortTooLow => "effort-too-low",
        FloodRefusal.RateLimited => "rate-limited",
        FloodRefusal.TicketInvalid => "ticket-invalid",
        FloodRefusal.TicketExpired => "ticket-expired",
        FloodRefusal.TicketUsed => "ticket-used",
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
        FloodRefusal.EffortTooLow => "Many reports are arriving, so more work is needed now: keep searching on the same challenge until SHA-256 of the stamp has at least 'effort' leading zero bits ('suggestedEffort' to be processed ahead of the backlog), then send it. Nothing was kept.",
        FloodRefusal.RateLimited => "Too many reports are arriving right now; nothing was kept. Send it again after the time in Retry-After.",
        FloodRefusal.TicketInvalid => "The form page's ticket is missing or was not issued here. Send the form again from a freshly loaded page.",
        FloodRefusal.TicketExpired => "The form page was open too long. Send the form again from a freshly loaded page.",
        FloodRefusal.TicketUsed => "The report from this form page was already received.",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };
}
