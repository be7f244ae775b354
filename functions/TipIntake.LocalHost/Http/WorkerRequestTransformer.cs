using Yarp.ReverseProxy.Forwarder;

namespace TipIntake.LocalHost.Http;

/// <summary>
/// YARP's default transform (the request as the client sent it, hop-by-hop headers aside), plus two things:
/// <list type="bullet">
/// <item>a request with a large or unannounced body asks <c>Expect: 100-continue</c> of the worker. .NET's HTTP/1.1
/// client otherwise sends the whole body before it reads any answer, so a function that refuses a body from its
/// headers alone (413 for an announced <c>Content-Length</c> over its limit) could not answer a client that announces
/// 10 MB and then waits; with it, the worker's answer comes back at once and the body is never sent. A body announced
/// at <see cref="SmallBodyBytes"/> or less goes on without it: it is within every function's limit, and waiting for
/// the worker's <c>100 Continue</c> cost every submission an extra round trip between the processes (measured:
/// docs/benchmarks.md, "Two processes"). A client that announces such a body and stalls is cut off by the server's
/// minimum body rate as before.</item>
/// <item>the worker's <c>Server</c> header is dropped: the local host names no server software (Kestrel's
/// <c>AddServerHeader</c> is off here too).</item>
/// </list>
/// </summary>
internal sealed class WorkerRequestTransformer : HttpTransformer
{
    public static readonly WorkerRequestTransformer Instance = new();

    /// <summary>
    /// The largest announced body sent without <c>Expect: 100-continue</c>: the smallest body limit of any function
    /// (triage's 16 KiB), so no function refuses such a body for its size. A 2 KB tip's JWE is 3.5 KB.
    /// </summary>
    public const long SmallBodyBytes = 16 * 1024;

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(proxyRequest);
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var announced = httpContext.Request.ContentLength;
        if (proxyRequest.Content is not null && (announced is null || announced > SmallBodyBytes))
        {
            proxyRequest.Headers.ExpectContinue = true;
        }
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var copied = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        httpContext.Response.Headers.Remove("Server");
        return copied;
    }
}
