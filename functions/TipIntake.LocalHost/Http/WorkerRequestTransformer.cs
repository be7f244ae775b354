using Yarp.ReverseProxy.Forwarder;

namespace TipIntake.LocalHost.Http;

/// <summary>
/// YARP's default transform (the request as the client sent it, hop-by-hop headers aside), plus two things:
/// <list type="bullet">
/// <item>a request with a body asks <c>Expect: 100-continue</c> of the worker. .NET's HTTP/1.1 client otherwise sends
/// the whole body before it reads any answer, so a function that refuses a body from its headers alone (413 for an
/// announced <c>Content-Length</c> over its limit) could not answer a client that announces 10 MB and then waits; with
/// it, the worker's answer comes back at once and the body is never sent.</item>
/// <item>the worker's <c>Server</c> header is dropped: the local host names no server software (Kestrel's
/// <c>AddServerHeader</c> is off here too).</item>
/// </list>
/// </summary>
internal sealed class WorkerRequestTransformer : HttpTransformer
{
    public static readonly WorkerRequestTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(proxyRequest);
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        if (proxyRequest.Content is not null)
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
