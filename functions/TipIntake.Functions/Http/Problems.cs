using Microsoft.AspNetCore.Http;
using TipIntake.Core.Jwe;

namespace TipIntake.Functions.Http;

/// <summary>The service's problem+json answers (contract 2 of DESIGN.md). Each type URI names one specific fault.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";
    private const string TypePrefix = "urn:tipintake:problem:";

    public static JsonBodyResult<ProblemBody> ForFault(JweFault fault)
    {
        var (status, title) = JweFaultDescriptions.KindOf(fault) switch
        {
            JweFaultKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, "Submission too large"),
            JweFaultKind.Unsupported => (StatusCodes.Status422UnprocessableEntity, "Unsupported encryption parameters"),
            _ => (StatusCodes.Status400BadRequest, "Malformed submission"),
        };
        return Create(status, JweFaultDescriptions.CodeOf(fault), title, JweFaultDescriptions.DescribeOf(fault));
    }

    public static JsonBodyResult<ProblemBody> UnsupportedMediaType(string expected) => Create(
        StatusCodes.Status415UnsupportedMediaType,
        "unsupported-media-type",
        "Unsupported media type",
        $"Send the body with Content-Type: {expected}.");

    public static JsonBodyResult<ProblemBody> NotFound() => Create(
        StatusCodes.Status404NotFound, "not-found", "No such resource", "No such resource.");

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
            "The tip was not accepted because storage or the key service is unavailable. Nothing was kept; please send it again later.");
        result.Headers["Retry-After"] = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return result;
    }

    private static JsonBodyResult<ProblemBody> Create(int status, string code, string title, string detail) =>
        new(status, new ProblemBody(TypePrefix + code, title, status, detail), HttpJsonContext.Default.ProblemBody, ContentType, "no-store");
}
