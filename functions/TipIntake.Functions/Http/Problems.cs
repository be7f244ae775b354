using Microsoft.AspNetCore.Mvc;
using TipIntake.Core;

namespace TipIntake.Functions.Http;

/// <summary>
/// The service's RFC 7807 answers (<c>application/problem+json</c>): each type URI, <c>urn:tipintake:problem:</c> and a
/// code (<c>triage-</c> first for the triage API), names one fault. Details are the service's words, never the request's.
/// A problem that comes with a header (Retry-After, WWW-Authenticate) sets it on the response it is given.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult Of(int status, string code, string title, string detail) =>
        TypedResults.Problem(new ProblemDetails { Type = "urn:tipintake:problem:" + code, Title = title, Status = status, Detail = detail });

    /// <summary>A problem that asks to come back later: its Retry-After is set on <paramref name="response"/>.</summary>
    public static ProblemHttpResult Retry(HttpResponse response, TimeSpan retryAfter, int status, string code, string title, string detail)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = RetryAfterSeconds(retryAfter);
        return Of(status, code, title, detail);
    }

    /// <summary>What is wrong with a JWE, in words a client developer can act on: 413, 422 (unsupported) or 400.</summary>
    public static ProblemHttpResult ForFault(JweFault fault)
    {
        var (status, title) = JweFaults.KindOf(fault) switch
        {
            JweFaultKind.TooLarge => (413, "Submission too large"),
            JweFaultKind.Unsupported => (422, "Unsupported encryption parameters"),
            _ => (400, "Malformed submission"),
        };
        return Of(status, Codes.Of(fault), title, fault switch
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
        });
    }

    /// <summary>
    /// Flood control's answers, each saying what to do: 428 without a stamp, 400 for a malformed one, 403 for one that is
    /// not valid, 403 <c>effort-too-low</c> with the effort accepted now (<c>effort</c>) and the one processed ahead of the
    /// backlog (<c>suggestedEffort</c>), and 429 with Retry-After only for the one-instance safety bound (docs/flood-control.md).
    /// </summary>
    public static ProblemHttpResult ForFlood(HttpResponse response, FloodDecision decision)
    {
        const string NotAccepted = "Proof-of-work stamp not accepted";
        var refusal = decision.Refusal!.Value;
        var (status, title, detail) = refusal switch
        {
            FloodRefusal.StampRequired => (428, "Proof-of-work stamp required", "Send a proof-of-work stamp in the TipIntake-Stamp header: fetch GET /api/challenge and solve it (see docs/flood-control.md)."),
            FloodRefusal.StampMalformed => (400, "Malformed proof-of-work stamp", "The TipIntake-Stamp header must be <challenge>:<counter>, the counter 1 to 16 decimal digits."),
            FloodRefusal.StampInvalid => (403, NotAccepted, "The challenge was not issued by this service (or by another instance with a different key). Fetch a new one from GET /api/challenge."),
            FloodRefusal.StampExpired => (403, NotAccepted, "The challenge has expired. Fetch a new one from GET /api/challenge."),
            FloodRefusal.StampReused => (403, NotAccepted, "The challenge was already used. Each submission needs a fresh challenge from GET /api/challenge."),
            FloodRefusal.StampInsufficient => (403, NotAccepted, "SHA-256 of the stamp does not have as many leading zero bits as the challenge's difficulty."),
            FloodRefusal.EffortTooLow => (403, "More work needed now", "Many reports are arriving, so more work is needed now: keep searching on the same challenge until SHA-256 of the stamp has at least 'effort' leading zero bits ('suggestedEffort' to be processed ahead of the backlog), then send it. Nothing was kept."),
            FloodRefusal.RateLimited => (429, "Too many submissions", "Too many reports are arriving right now; nothing was kept. Send it again after the time in Retry-After."),
            FloodRefusal.TicketInvalid => (403, NotAccepted, "The form page's ticket is missing or was not issued here. Send the form again from a freshly loaded page."),
            FloodRefusal.TicketExpired => (403, NotAccepted, "The form page was open too long. Send the form again from a freshly loaded page."),
            FloodRefusal.TicketUsed => (403, NotAccepted, "The report from this form page was already received."),
            _ => throw new ArgumentOutOfRangeException(nameof(decision), refusal, null),
        };
        var problem = refusal == FloodRefusal.RateLimited
            ? Retry(response, decision.RetryAfter, status, Codes.Of(refusal), title, detail)
            : Of(status, Codes.Of(refusal), title, detail);
        if (refusal == FloodRefusal.EffortTooLow)
        {
            problem.ProblemDetails.Extensions["effort"] = decision.RequiredEffort;
            problem.ProblemDetails.Extensions["suggestedEffort"] = decision.SuggestedEffort;
        }

        return problem;
    }

    /// <summary>Whole seconds, at least one.</summary>
    public static string RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public static ProblemHttpResult NotFound() => Of(404, "not-found", "No such resource", "No such resource.");

    public static ProblemHttpResult NotAscii() => Of(400, "not-ascii", "Malformed submission", "A compact JWE is ASCII only; the body contains other bytes.");

    /// <summary>A body that could not be read: 415, 408 (too slow) or 400 (broken framing); a 413 is each route's own.</summary>
    public static ProblemHttpResult ForBody(BodyFault fault, string mediaType, bool triage = false) => fault switch
    {
        BodyFault.WrongMediaType => Of(415, (triage ? "triage-" : "") + "unsupported-media-type", "Unsupported media type",
            triage ? $"Send the body as {mediaType}." : $"Send the body with Content-Type: {mediaType}."),
        BodyFault.TimedOut => Of(408, (triage ? "triage-" : "") + "request-timeout", "Request body too slow", triage
            ? "The request body arrived too slowly; nothing was changed."
            : "The request body arrived too slowly and was not read to its end. Nothing was kept; please send it again."),
        _ => Of(400, (triage ? "triage-" : "") + "unreadable-body", "Malformed request",
            "The request body could not be read: its framing (Content-Length or chunked encoding) is broken."),
    };

    public static ProblemHttpResult Unavailable(HttpResponse response, TimeSpan retryAfter) => Retry(response, retryAfter, 503, "unavailable", "Temporarily unavailable",
        "The tip could not be confirmed because storage or the key service is unavailable. Send the same JWE again later with the "
        + "same TipIntake-Submission header: if the first attempt was kept after all, the resend gets the same receipt and the tip is kept once.");

    public static ProblemHttpResult SubmissionIdInvalid() => Of(400, "submission-id-invalid", "Malformed submission id",
        "TipIntake-Submission, when sent, must be one header of 22 base64url characters: 16 random bytes chosen once "
        + "per report and sent again with every resend of the same JWE.");

    public static ProblemHttpResult Unauthenticated(HttpResponse response)
    {
        response.Headers.WWWAuthenticate = "Bearer";
        return Of(401, "triage-unauthenticated", "Sign-in required", "Send a valid staff access token: Authorization: Bearer <token>.");
    }

    public static ProblemHttpResult Forbidden(bool edit) => Of(403, "triage-forbidden", "Not allowed",
        edit ? "Changing tips needs the TipTriage.Editor role." : "Reading tips needs the TipTriage.Reader or TipTriage.Editor role.");

    public static ProblemHttpResult TipNotFound() => Of(404, "triage-not-found", "No such tip", "No tip with this id.");

    public static ProblemHttpResult PreconditionRequired() => Of(428, "triage-precondition-required", "If-Match required",
        "Send the ETag of the tip as you last read it in an If-Match header, so that no one's change is overwritten.");

    public static ProblemHttpResult PreconditionFailed() => Of(412, "triage-precondition-failed", "The tip has changed",
        "Someone changed the tip since you read it. Read it again and decide on its current state.");

    public static ProblemHttpResult InvalidTransition(string from, string to) =>
        Of(409, "triage-invalid-transition", "Status change not allowed", $"A tip in status '{from}' cannot move to '{to}'.");

    /// <summary>A triage value the service refused (422) or a malformed request (400), with the service's own code.</summary>
    public static ProblemHttpResult Invalid(string code, string detail) => Of(422, "triage-" + code, "Invalid request", detail);

    public static ProblemHttpResult BadRequest(string code, string detail) => Of(400, "triage-" + code, "Malformed request", detail);

    public static ProblemHttpResult TriageUnavailable(HttpResponse response) => Retry(response, TimeSpan.FromSeconds(5), 503, "triage-unavailable", "Temporarily unavailable",
        "Storage is unavailable. A change may or may not have been saved: read the tip again before repeating it.");
}
