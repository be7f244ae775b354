using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Http;

/// <summary>
/// A static file with a strong ETag (304 when the client has it), Brotli or gzip when the client accepts them, and
/// <c>no-store</c>: a reporter's device may be seized, and a cached copy of the form's script or styles would show
/// that the site was visited (and when) long after the page was closed. A few kilobytes fetched again per visit is
/// the price.
/// </summary>
public sealed class AssetResult(WebAsset asset) : IActionResult
{
    public WebAsset Asset => asset;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.HttpContext.Request;
        var response = context.HttpContext.Response;
        SecurityHeaders.Apply(response, SecurityHeaders.NoStore);
        response.Headers.ETag = asset.ETag;
        response.Headers.Vary = "Accept-Encoding";
        response.ContentType = asset.ContentType;
        if (request.Headers.IfNoneMatch.Any(value => value is not null && value.Split(',').Any(tag => tag.Trim() == asset.ETag)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var accepted = request.Headers.AcceptEncoding.ToString();
        var (body, encoding) = Accepts(accepted, "br") ? (asset.Brotli, "br")
            : Accepts(accepted, "gzip") ? (asset.Gzip, "gzip")
            : (asset.Content, null);
        if (encoding is not null)
        {
            response.Headers.ContentEncoding = encoding;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            await response.Body.WriteAsync(body, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool Accepts(string acceptEncoding, string coding) =>
        StringWithQualityHeaderValue.TryParseList(acceptEncoding.Split(','), out var values)
        && values.Any(v => v.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) && (v.Quality ?? 1) > 0);
}
