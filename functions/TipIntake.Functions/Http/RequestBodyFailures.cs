using Microsoft.AspNetCore.Http;

namespace TipIntake.Functions.Http;

/// <summary>
/// What a failed read of a request body means. The server throws while the application reads when the client's
/// framing is broken (a bad chunk size, a body shorter than its Content-Length) or the body arrives too slowly
/// (Kestrel's MinRequestBodyDataRate): each is the client's fault and gets its own 4xx, never a 500.
/// </summary>
public static class RequestBodyFailures
{
    /// <summary>408 when the body came too slowly, 413 when over the server's limit, otherwise 400.</summary>
    public static int StatusOf(IOException exception) => exception is BadHttpRequestException { StatusCode: var status } && status is 408 or 413
        ? status
        : StatusCodes.Status400BadRequest;
}
