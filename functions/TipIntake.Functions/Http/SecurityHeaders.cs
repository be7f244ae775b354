using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Options;
using TipIntake.Infrastructure.Staff;

namespace TipIntake.Functions.Http;

/// <summary>The content security policy an HTTP function's answers carry; every HTTP function declares one.</summary>
public enum ContentPolicy
{
    /// <summary>The reporter's pages and assets, and every API answer: nothing from anywhere else.</summary>
    Strict,

    /// <summary>The triage page: MSAL.js may also call and frame the Entra ID instance.</summary>
    Triage,

    /// <summary>MSAL's sign-in bridge page: framed by this origin only, and no COOP (it talks to its opener).</summary>
    SignInBridge,
}

[AttributeUsage(AttributeTargets.Method)]
public sealed class ResponsePolicyAttribute(ContentPolicy policy) : Attribute
{
    public ContentPolicy Policy => policy;
}

/// <summary>
/// The headers every answer carries, pages and API alike: nothing may be framed, load from elsewhere, leak a
/// referrer or be sniffed into another type, and nothing that could hold a reporter's words is cached. Set before the
/// function runs, so that its problems carry them too; a function whose answer may be cached replaces Cache-Control.
/// </summary>
public sealed class SecurityHeaders(IOptions<StaffAuthOptions> auth) : IFunctionsWorkerMiddleware
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>Framed by this origin's pages alone; runs this origin's scripts and calls nothing.</summary>
    public const string SignInBridgeContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; "
        + "form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

    /// <summary>
    /// The strict policy, except that MSAL.js may call the Entra ID <paramref name="instance"/> (token requests) and
    /// frame it (silent renewal, which ends on this origin's sign-in bridge). Only the instance's origin is used.
    /// </summary>
    public static string TriageContentSecurityPolicy(Uri instance) =>
        $"default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' {InstanceOrigin(instance)}; "
        + $"frame-src 'self' {InstanceOrigin(instance)}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The origin (<c>https://host[:port]</c>) of an Entra ID instance, refusing anything but an absolute https URL.</summary>
    public static string InstanceOrigin(Uri instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return instance.IsAbsoluteUri && instance.Scheme == Uri.UriSchemeHttps && string.IsNullOrEmpty(instance.UserInfo)
            ? instance.GetLeftPart(UriPartial.Authority)
            : throw new ArgumentException("The Entra ID instance must be an absolute https URL.", nameof(instance));
    }

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http)
        {
            // A function that forgot to declare gets the strictest policy (a test requires every one to declare).
            Apply(http.Response.Headers, FunctionMethods.Declared<ResponsePolicyAttribute>(context)?.Policy ?? ContentPolicy.Strict);
        }

        return next(context);
    }

    private void Apply(IHeaderDictionary headers, ContentPolicy policy)
    {
        headers.ContentSecurityPolicy = policy switch
        {
            ContentPolicy.Triage => TriageContentSecurityPolicy(auth.Value.Instance),
            ContentPolicy.SignInBridge => SignInBridgeContentSecurityPolicy,
            _ => ContentSecurityPolicy,
        };
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = policy == ContentPolicy.SignInBridge ? "SAMEORIGIN" : "DENY";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";
        if (policy != ContentPolicy.SignInBridge)
        {
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
        }

        headers["Cross-Origin-Resource-Policy"] = "same-origin";
        headers.StrictTransportSecurity = "max-age=63072000; includeSubDomains";
        headers.CacheControl = "no-store";
    }
}
