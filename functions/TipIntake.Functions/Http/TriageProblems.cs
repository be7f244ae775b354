using Microsoft.AspNetCore.Http;

namespace TipIntake.Functions.Http;

/// <summary>The triage API's problem+json answers; each type URI names one fault. Details never echo the request.</summary>
public static class TriageProblems
{
    private const string TypePrefix = "urn:tipintake:problem:triage-";

    public static JsonBodyResult<ProblemBody> Unauthenticated()
    {
        var result = Create(StatusCodes.Status401Unauthorized, "unauthenticated", "Sign-in required",
            "Send a valid staff access token: Authorization: Bearer <token>.");
        result.Headers["WWW-Authenticate"] = "Bearer";
        return result;
    }

    public static JsonBodyResult<ProblemBody> Forbidden(bool edit) => Create(
        StatusCodes.Status403Forbidden,
        "forbidden",
        "Not allowed",
        edit ? "Changing tips needs the TipTriage.Editor role." : "Reading tips needs the TipTriage.Reader or TipTriage.Editor role.");

    public static JsonBodyResult<ProblemBody> NotFound() => Create(
        StatusCodes.Status404NotFound, "not-found", "No such tip", "No tip with this id.");

    public static JsonBodyResult<ProblemBody> PreconditionRequired() => Create(
        StatusCodes.Status428PreconditionRequired,
        "precondition-required",
        "If-Match required",
        "Send the ETag of the tip as you last read it in an If-Match header, so that no one's change is overwritten.");

    public static JsonBodyResult<ProblemBody> PreconditionFailed() => Create(
        StatusCodes.Status412PreconditionFailed,
        "precondition-failed",
        "The tip has changed",
        "Someone changed the tip since you read it. Read it again and decide on its current state.");

    public static JsonBodyResult<ProblemBody> InvalidTransition(string from, string to) => Create(
        StatusCodes.Status409Conflict,
        "invalid-transition",
        "Status change not allowed",
        $"A tip in status '{from}' cannot move to '{to}'.");

    public static JsonBodyResult<ProblemBody> Invalid(string code, string detail) => Create(
        StatusCodes.Status422UnprocessableEntity, code, "Invalid request", detail);

    public static JsonBodyResult<ProblemBody> BadRequest(string code, string detail) => Create(
        StatusCodes.Status400BadRequest, code, "Malformed request", detail);

    public static JsonBodyResult<ProblemBody> TooLarge(int limit) => Create(
        StatusCodes.Status413PayloadTooLarge, "too-large", "Request too large", $"A triage request body is at most {limit} bytes.");

    public static JsonBodyResult<ProblemBody> RequestTimeout() => Create(
        StatusCodes.Status408RequestTimeout, "request-timeout", "Request body too slow", "The request body arrived too slowly; nothing was changed.");

    public static JsonBodyResult<ProblemBody> UnsupportedMediaType() => Create(
        StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type", "Send the body as application/json.");

    public static JsonBodyResult<ProblemBody> Unavailable()
    {
        var result = Create(StatusCodes.Status503ServiceUnavailable, "unavailable", "Temporarily unavailable",
            "Storage is unavailable. A change may or may not have been saved: read the tip again before repeating it.");
        result.Headers["Retry-After"] = "5";
        return result;
    }

    private static JsonBodyResult<ProblemBody> Create(int status, string code, string title, string detail) =>
        new(status, new ProblemBody(TypePrefix + code, title, status, detail), HttpJsonContext.Default.ProblemBody, Problems.ContentType, SecurityHeaders.NoStore);
}
