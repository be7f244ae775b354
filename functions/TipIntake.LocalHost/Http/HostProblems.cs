using Microsoft.AspNetCore.Diagnostics;

namespace TipIntake.LocalHost.Http;

/// <summary>An RFC 7807 problem the local host writes itself (the worker writes its own).</summary>
internal sealed record HostProblem(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail);

[JsonSerializable(typeof(HostProblem))]
internal sealed partial class HostProblemJsonContext : JsonSerializerContext;

/// <summary>
/// The answers the local host gives without the worker — no route (404), wrong method (405), worker unavailable (503),
/// a request body the client broke or sent too slowly (400, 408) — as problem+json with the same security headers as
/// the app's own answers (docs/security.md), so a client cannot tell which process answered.
/// </summary>
internal static class HostProblems
{
    public const string ContentType = "application/problem+json";
    public const string TypePrefix = "urn:tipintake:problem:";

    /// <summary>Seconds a 503 for a worker that is restarting tells clients to wait.</summary>
    public const int WorkerRetryAfterSeconds = 5;

    /// <summary>For <c>UseStatusCodePages</c>: the bodiless answers of routing get a problem body.</summary>
    public static Task WriteStatusPageAsync(StatusCodeContext context)
    {
        var response = context.HttpContext.Response;
        var (code, title) = response.StatusCode switch
        {
            StatusCodes.Status404NotFound => ("not-found", "No such resource"),
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            _ => ("http-" + response.StatusCode, "Request failed"),
        };
        return WriteBodyAsync(context.HttpContext, new HostProblem(TypePrefix + code, title, response.StatusCode, title + "."));
    }

    public static Task WriteAsync(HttpContext context, int status, string code, string title, string detail)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = status;
        return WriteBodyAsync(context, new HostProblem(TypePrefix + code, title, status, detail));
    }

    public static Task WorkerUnavailableAsync(HttpContext context)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.Headers.RetryAfter = WorkerRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteBodyAsync(context, new HostProblem(
            TypePrefix + "unavailable", "Temporarily unavailable", StatusCodes.Status503ServiceUnavailable, "The service is restarting; try again shortly."));
    }

    /// <summary>The security headers of the app's API answers, with <c>Cache-Control: no-store</c>.</summary>
    public static void ApplySecurityHeaders(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.StrictTransportSecurity = "max-age=63072000; includeSubDomains";
        headers.CacheControl = "no-store";
    }

    private static Task WriteBodyAsync(HttpContext context, HostProblem problem)
    {
        var response = context.Response;
        response.ContentType = ContentType;
        ApplySecurityHeaders(response);
        return JsonSerializer.SerializeAsync(response.Body, problem, HostProblemJsonContext.Default.HostProblem, context.RequestAborted);
    }
}
