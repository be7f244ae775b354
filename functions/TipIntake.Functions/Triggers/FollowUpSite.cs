using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Functions.Http;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// GET /follow-up: the page where a reporter comes back with the follow-up code (docs/follow-up.md). The page holds no
/// state and reads nothing but the language; the code is typed into it and never leaves the browser.
/// </summary>
public sealed class FollowUpSite(Pages pages)
{
    [Function(nameof(FollowUpSite))]
    [ResponsePolicy(ContentPolicy.Strict)]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "follow-up")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lang = LanguageChoice.Choose(request.Query[SubmitTipForm.LanguageField], request.Headers.AcceptLanguage);
        request.HttpContext.Response.Headers.Vary = "Accept-Language";
        request.HttpContext.Response.Headers.ContentLanguage = lang;
        return TypedResults.Content(pages.FollowUp(lang), SubmitTipForm.Html);
    }
}
