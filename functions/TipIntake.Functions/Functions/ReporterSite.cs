using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.FloodControl;
using TipIntake.Functions.Http;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Functions;

/// <summary>
/// GET / (the reporter form, in the language asked for or the browser's) and GET /assets/… (embedded files). Every
/// answer carries the strict security headers; nothing is loaded from anywhere else.
/// </summary>
public sealed class ReporterSite(Pages pages, WebAssets assets, FloodGate flood)
{
    [Function(nameof(ReporterSite))]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest request,
        string? path)
    {
        ArgumentNullException.ThrowIfNull(request);
        path ??= "";
        if (path.Length == 0)
        {
            var lang = LanguageChoice.Choose(request.Query[FormRequestBody.LanguageField], request.Headers.AcceptLanguage);
            var page = new HtmlResult(StatusCodes.Status200OK, pages.Form(lang, Empty, Empty, formErrorKey: null, ticket: flood.IssueFormTicket()));
            page.Headers["Vary"] = "Accept-Language";
            page.Headers["Content-Language"] = lang;
            return page;
        }

        var asset = path switch
        {
            "favicon.ico" => assets.Find("favicon.svg"),
            _ when path.StartsWith("assets/", StringComparison.Ordinal) => assets.Find(path["assets/".Length..]),
            _ => null,
        };
        return asset is null ? Problems.NotFound() : new AssetResult(asset);
    }

    private static readonly Dictionary<string, string> Empty = [];
}
