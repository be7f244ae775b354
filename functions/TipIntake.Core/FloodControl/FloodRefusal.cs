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
