using Microsoft.Extensions.Hosting;
using TipIntake.Infrastructure.Staff;

namespace TipIntake.Functions.Triggers;

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
    [ResponsePolicy(ContentPolicy.Triage)]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "triage")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lang = LanguageChoice.ChooseTriage(request.Query[SubmitTipForm.LanguageField], request.Headers.AcceptLanguage);
        var headers = request.HttpContext.Response.Headers;
        headers.Vary = "Accept-Language";
        headers.ContentLanguage = lang;
        headers["X-Robots-Tag"] = "noindex, nofollow";
        return TypedResults.Content(
            pages.Triage(lang, Settings(auth.Value, environment.IsDevelopment(), assets.Find(MsalAsset) is not null)),
            SubmitTipForm.Html);
    }

    [Function(nameof(TriagePage) + "SignedIn")]
    [ResponsePolicy(ContentPolicy.SignInBridge)]
    public IResult SignedIn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "triage/signed-in")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lang = LanguageChoice.ChooseTriage(null, request.Headers.AcceptLanguage);
        return TypedResults.Content(
            pages.TriageSignedIn(lang, assets.Find(MsalBridgeAsset) is not null),
            SubmitTipForm.Html);
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
