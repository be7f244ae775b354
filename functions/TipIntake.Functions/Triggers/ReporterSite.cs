using Microsoft.Net.Http.Headers;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// GET / (the reporter form, in the language asked for or the browser's) and GET /assets/… (embedded files). Every
/// answer carries the strict security headers; nothing is loaded from anywhere else.
/// </summary>
[ResponsePolicy(ContentPolicy.Strict)]
public sealed class ReporterSite(Pages pages, WebAssets assets, FloodGate flood)
{
    [Function(nameof(ReporterSite))]
    public IResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest request,
        string? path)
    {
        ArgumentNullException.ThrowIfNull(request);
        path ??= "";
        if (path.Length == 0)
        {
            var lang = LanguageChoice.Choose(request.Query[SubmitTipForm.LanguageField], request.Headers.AcceptLanguage);
            request.HttpContext.Response.Headers.Vary = "Accept-Language";
            request.HttpContext.Response.Headers.ContentLanguage = lang;
            return TypedResults.Content(pages.Form(lang, Empty, Empty, formErrorKey: null, ticket: flood.IssueFormTicket()), SubmitTipForm.Html);
        }

        var asset = path switch
        {
            "favicon.ico" => assets.Find("favicon.svg"),
            _ when path.StartsWith("assets/", StringComparison.Ordinal) => assets.Find(path["assets/".Length..]),
            _ => null,
        };
        return asset is null ? Problems.NotFound() : Serve(request, asset);
    }

    /// <summary>
    /// Brotli or gzip when the client accepts them; the strong ETag and 304 by the framework. Still <c>no-store</c>: a
    /// reporter's device may be seized, and a cached script would show that the site was visited (and when).
    /// </summary>
    private static FileContentHttpResult Serve(HttpRequest request, WebAsset asset)
    {
        var accepted = request.Headers.AcceptEncoding.ToString();
        var (body, encoding) = Accepts(accepted, "br") ? (asset.Brotli, "br") : Accepts(accepted, "gzip") ? (asset.Gzip, "gzip") : (asset.Content, null);
        request.HttpContext.Response.Headers.Vary = "Accept-Encoding";
        if (encoding is not null)
        {
            request.HttpContext.Response.Headers.ContentEncoding = encoding;
        }

        return TypedResults.Bytes(body, asset.ContentType, entityTag: EntityTagHeaderValue.Parse(asset.ETag));
    }

    private static bool Accepts(string acceptEncoding, string coding) =>
        StringWithQualityHeaderValue.TryParseList(acceptEncoding.Split(','), out var values)
        && values.Any(v => v.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) && (v.Quality ?? 1) > 0);

    private static readonly Dictionary<string, string> Empty = [];
}
