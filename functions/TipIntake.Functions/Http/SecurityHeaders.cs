using Microsoft.AspNetCore.Http;

namespace TipIntake.Functions.Http;

/// <summary>
/// The headers every answer carries, pages and API alike: nothing may be framed, load from elsewhere, leak a
/// referrer or be sniffed into another type, and nothing that could hold a reporter's words is cached.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public const string NoStore = "no-store";

    /// <summary>
    /// The triage page's policy: the reporter form's, except that MSAL.js may call the Entra ID
    /// <paramref name="instance"/> (token requests: <c>connect-src</c>) and frame it (silent renewal: <c>frame-src</c>,
    /// which ends on this origin's sign-in bridge page). Nothing else is allowed from elsewhere.
    /// </summary>
    /// <param name="instance">The Entra ID instance, e.g. <c>https://login.microsoftonline.com/</c>; only its origin is used.</param>
    public static string TriageContentSecurityPolicy(Uri instance)
    {
        var origin = InstanceOrigin(instance);
        return "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; "
            + $"connect-src 'self' {origin}; frame-src 'self' {origin}; "
            + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    }

    /// <summary>
    /// The policy of the sign-in bridge page (<c>/triage/signed-in</c>), which Entra ID redirects to in MSAL's popup or
    /// silent iframe: it runs only this origin's scripts, calls nothing, and may be framed by this origin alone.
    /// </summary>
    public const string SignInBridgeContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; "
        + "form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

    /// <summary>The origin (<c>https://host[:port]</c>) of an Entra ID instance, refusing anything but an absolute https URL.</summary>
    public static string InstanceOrigin(Uri instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        if (!instance.IsAbsoluteUri || instance.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(instance.UserInfo))
        {
            throw new ArgumentException("The Entra ID instance must be an absolute https URL.", nameof(instance));
        }

        return instance.GetLeftPart(UriPartial.Authority);
    }

    public static void Apply(HttpResponse response, string cacheControl) => Apply(response, cacheControl, ContentSecurityPolicy);

    /// <summary>
    /// Applies the headers with <paramref name="contentSecurityPolicy"/>. The sign-in bridge's policy (framing by this
    /// origin allowed) also relaxes <c>X-Frame-Options</c> to SAMEORIGIN and leaves out <c>Cross-Origin-Opener-Policy</c>,
    /// which would cut the bridge off from the page that opened the sign-in popup.
    /// </summary>
    public static void Apply(HttpResponse response, string cacheControl, string contentSecurityPolicy)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(contentSecurityPolicy);
        var bridge = string.Equals(contentSecurityPolicy, SignInBridgeContentSecurityPolicy, StringComparison.Ordinal);
        var headers = response.Headers;
        headers.ContentSecurityPolicy = contentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = bridge ? "SAMEORIGIN" : "DENY";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";
        if (!bridge)
        {
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
        }

        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.StrictTransportSecurity = "max-age=63072000; includeSubDomains";
        headers.CacheControl = cacheControl;
    }
}
