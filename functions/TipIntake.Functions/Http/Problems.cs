using Microsoft.AspNetCore.Http;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Jwe;
using TipIntake.Core;

namespace TipIntake.Functions.Http;

/// <summary>The service's problem+json answers (contract 2 of DESIGN.md). Each type URI names one specific fault.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";
    private const string TypePrefix = "urn:tipintake:problem:";

    public static JsonBodyResult<ProblemBody> ForFault(JweFault fault)
    {
        var (status, title) = JweFaults.KindOf(fault) switch
        {
            JweFaultKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, "Submission too large"),
            JweFaultKind.Unsupported => (StatusCodes.Status422UnprocessableEntity, "Unsupported encryption parameters"),
            _ => (StatusCodes.Status400BadRequest, "Malformed submission"),
        };
        return Create(status, Codes.Of(fault), title, ProblemTexts.Of(fault));
    }

    /// <summary>
    /// Flood control's answers: 428 without a stamp, 400 for a malformed one, 403 for one that is not valid (invalid,
    /// expired, reused, insufficient), 403 <c>effort-too-low</c> with the effort accepted now (<c>effort</c>) and the one
    /// processed ahead of the backlog (<c>suggestedEffort</c>), and 429 with Retry-After only for the one-instance
    /// safety bound (docs/flood-control.md).
    /// </summary>
    public static JsonBodyResult<ProblemBody> ForFlood(FloodDecision decision)
    {
        var refusal = decision.Refusal!.Value;
        var (status, title) = refusal switch
        {
            FloodRefusal.StampRequired => (StatusCodes.Status428PreconditionRequired, "Proof-of-work stamp required"),
            FloodRefusal.StampMalformed => (StatusCodes.Status400BadRequest, "Malformed proof-of-work stamp"),
            FloodRefusal.RateLimited => (StatusCodes.Status429TooManyRequests, "Too many submissions"),
            FloodRefusal.EffortTooLow => (StatusCodes.Status403Forbidden, "More work needed now"),
            _ => (StatusCodes.Status403Forbidden, "Proof-of-work stamp not accepted"),
        };
        var body = new ProblemBody(TypePrefix + Codes.Of(refusal), title, status, ProblemTexts.Of(refusal));
        if (refusal == FloodRefusal.EffortTooLow)
        {
            body = body with { Effort = decision.RequiredEffort, SuggestedEffort = decision.SuggestedEffort };
        }

        var result = new JsonBodyResult<ProblemBody>(status, body, HttpJsonContext.Default.ProblemBody, ContentType, "no-store");
        if (refusal == FloodRefusal.RateLimited)
        {
            result.Headers["Retry-After"] = RetryAfterSeconds(decision.RetryAfter);
        }

        return result;
    }

    /// <summary>Whole seconds, at least one.</summary>
    public static string RetryAfterSeconds(TimeSpan retryAfter) =>
        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static JsonBodyResult<ProblemBody> UnsupportedMediaType(string expected) => Create(
        StatusCodes.Status415UnsupportedMediaType,
        "unsupported-media-type",
        "Unsupported media type",
        $"Send the body with Content-Type: {expected}.");

    public static JsonBodyResult<ProblemBody> NotFound() => Create(
        StatusCodes.Status404NotFound, "not-found", "No such resource", "No such resource.");

    public static JsonBodyResult<ProblemBody> UnreadableBody() => Create(
        StatusCodes.Status400BadRequest,
        "unreadable-body",
        "Malformed request",
        "The request body could not be read: its framing (Content-Length or chunked encoding) is broken.");

    public static JsonBodyResult<ProblemBody> RequestTimeout() => Create(
        StatusCodes.Status408RequestTimeout,
        "request-timeout",
        "Request body too slow",
        "The request body arrived too slowly and was not read to its end. Nothing was kept; please send it again.");

    public static JsonBodyResult<ProblemBody> NotAscii() => Create(
        StatusCodes.Status400BadRequest,
        "not-ascii",
        "Malformed submission",
        "A compact JWE is ASCII only; the body contains other bytes.");

    public static JsonBodyResult<ProblemBody> Unavailable(TimeSpan retryAfter)
    {
        var result = Create(
            StatusCodes.Status503ServiceUnavailable,
            "unavailable",
            "Temporarily unavailable",
            "The tip could not be confirmed because storage or the key service is unavailable. Send the same JWE again "
                + "later with the same TipIntake-Submission header: if the first attempt was kept after all, the resend "
                + "gets the same receipt and the tip is kept once.");
        result.Headers["Retry-After"] = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }

    public static JsonBodyResult<ProblemBody> SubmissionIdInvalid() => Create(
        StatusCodes.Status400BadRequest,
        "submission-id-invalid",
        "Malformed submission id",
        "TipIntake-Submission, when sent, must be one header of 22 base64url characters: 16 random bytes chosen once "
            + "per report and sent again with every resend of the same JWE.");

    private static JsonBodyResult<ProblemBody> Create(int status, string code, string title, string detail) =>
        new(status, new ProblemBody(TypePrefix + code, title, status, detail), HttpJsonContext.Default.ProblemBody, ContentType, "no-store");
}
