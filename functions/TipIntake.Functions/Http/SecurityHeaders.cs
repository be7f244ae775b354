using Microsoft.AspNetCore.Http;

namespace TipIntake.Functions.Http;

/// <summary>
/// The headers every answer carries, pages and API alike: nothing may be framed, load from elsewhere, leak a
/// referrer or be sniffed into another type, and nothing that could hold a reporter's words is cached.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public const string NoStore = "no-store";

    public static void Apply(HttpResponse response, string cacheControl)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.StrictTransportSecurity = "max-age=63072000; includeSubDomains";
        headers.CacheControl = cacheControl;
    }
}
