using Microsoft.AspNetCore.Diagnostics;

namespace TipIntake.LocalHost.Hosting;

/// <summary>Gives the bodiless answers of routing (404 no such route, 405 wrong method) a problem+json body too.</summary>
internal static class ProblemStatusPages
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        var response = context.HttpContext.Response;
        var (code, title) = response.StatusCode switch
        {
            StatusCodes.Status404NotFound => ("not-found", "No such resource"),
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            _ => ("http-" + response.StatusCode, "Request failed"),
        };
        var body = new Functions.Http.ProblemBody("urn:tipintake:problem:" + code, title, response.StatusCode, title + ".");
        response.ContentType = Functions.Http.Problems.ContentType;
        Functions.Http.SecurityHeaders.Apply(response, Functions.Http.SecurityHeaders.NoStore);
        return System.Text.Json.JsonSerializer.SerializeAsync(
            response.Body, body, Functions.Http.HttpJsonContext.Default.ProblemBody, context.HttpContext.RequestAborted);
    }
}
