namespace TipIntake.Functions.Http;

/// <summary>The <c>detail</c> of each refusal's problem: what to do, in words a client developer can act on. Never echoes the input.</summary>
public static class ProblemTexts
{
    /// <summary>What is wrong, in words a client developer can act on. Never echoes the input.</summary>
    public static string Of(JweFault fault) => fault switch
    {
        JweFault.EmptyBody => "The body is empty; send the JWE in compact serialisation.",
        JweFault.TooLarge => "The JWE is longer than this service accepts.",
        JweFault.NotCompactJwe => "The body is not a JWE in compact serialisation: it needs exactly five base64url segments separated by dots.",
        JweFault.InvalidBase64url => "A segment is not unpadded base64url (RFC 7515 §2).",
        JweFault.HeaderNotJson => "The protected header is not a UTF-8 JSON object.",
        JweFault.HeaderMemberMissing => "The protected header must contain alg, enc, kid and cty.",
        JweFault.HeaderMemberNotString => "The protected header members alg, enc, kid, cty and typ must be strings.",
        JweFault.HeaderMemberDuplicated => "The protected header names a member twice.",
        JweFault.UnsupportedHeaderParameter => "The protected header contains a parameter this service does not accept (only alg, enc, kid, cty and typ are allowed; zip and crit are not).",
        JweFault.UnsupportedAlg => "Only alg RSA-OAEP-256 is accepted.",
        JweFault.UnsupportedEnc => "Only enc A256GCM is accepted.",
        JweFault.UnsupportedCty => "cty must be application/vnd.tipintake.tip.v1+json.",
        JweFault.UnsupportedKid => "kid must name a version of this service's intake key, as served by GET /api/intake-key.",
        JweFault.InvalidEncryptedKey => "The encrypted key does not have the length of the intake key's modulus.",
        JweFault.InvalidIv => "The initialisation vector must be 96 bits (12 bytes).",
        JweFault.InvalidTag => "The authentication tag must be 128 bits (16 bytes).",
        JweFault.EmptyCiphertext => "The ciphertext is empty.",
        _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, null),
    };

    /// <summary>What to do, in words a client developer can act on. Never echoes the input.</summary>
    public static string Of(FloodRefusal refusal) => refusal switch
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
