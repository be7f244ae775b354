using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TipIntake.Functions.Http;
using TipIntake.Functions.Web;
using TipIntake.Infrastructure.Staff;

namespace TipIntake.Functions.Functions;

/// <summary>
/// GET /triage (the staff's triage page, in English or Korean) and GET /triage/signed-in (MSAL.js's sign-in bridge,
/// the app registration's redirect URI). Thin: the page is static apart from its language and the public sign-in
/// settings; every tip is fetched by the page from the triage API with the staff member's token.
/// </summary>
public sealed class TriagePage(Pages pages, WebAssets assets, IOptions<StaffAuthOptions> auth, IHostEnvironment environment)
{
    public const string MsalAsset = "msal-browser.min.js";
    public const string MsalBridgeAsset = "msal-redirect-bridge.min.js";

    [Function(nameof(TriagePage))]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "triage")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lang = LanguageChoice.ChooseTriage(request.Query[FormRequestBody.LanguageField], request.Headers.AcceptLanguage);
        var options = auth.Value;
        var page = new HtmlResult(
            StatusCodes.Status200OK,
            pages.Triage(lang, Settings(options, environment.IsDevelopment(), assets.Find(MsalAsset) is not null)),
            SecurityHeaders.TriageContentSecurityPolicy(options.Instance));
        page.Headers["Vary"] = "Accept-Language";
        page.Headers["Content-Language"] = lang;
        page.Headers["X-Robots-Tag"] = "noindex, nofollow";
        return page;
    }

    [Function(nameof(TriagePage) + "SignedIn")]
    public IActionResult SignedIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "triage/signed-in")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lang = LanguageChoice.ChooseTriage(null, request.Headers.AcceptLanguage);
        return new HtmlResult(
            StatusCodes.Status200OK,
            pages.TriageSignedIn(lang, assets.Find(MsalBridgeAsset) is not null),
            SecurityHeaders.SignInBridgeContentSecurityPolicy);
    }

    /// <summary>
    /// The development sign-in when the host runs in Development and Triage:Auth is not configured; Entra ID otherwise
    /// (in Azure, an unconfigured Triage:Auth leaves the page saying so, never a development sign-in).
    /// </summary>
    public static TriagePageSettings Settings(StaffAuthOptions options, bool isDevelopment, bool msalAvailable)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (isDevelopment && !options.IsConfigured)
        {
            return new TriagePageSettings(TriagePageSettings.DevelopmentMode, null, null, null, null, msalAvailable);
        }

        var authority = string.IsNullOrEmpty(options.TenantId)
            ? null
            : new Uri(options.Instance, Uri.EscapeDataString(options.TenantId)).ToString();
        return new TriagePageSettings(TriagePageSettings.EntraMode, options.TenantId, options.ClientId, options.Scope, authority, msalAvailable);
    }
}
