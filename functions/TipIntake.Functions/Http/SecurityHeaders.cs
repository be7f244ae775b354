using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker.Middleware;
using TipIntake.Infrastructure.Staff;

namespace TipIntake.Functions.Http;

/// <summary>
/// The content security policy of an HTTP function's answers (<see cref="SecurityHeaders.ContentSecurityPolicyOf"/>):
/// <see cref="Strict"/> for all but the triage pages and the attachment download.
/// </summary>
public enum ContentPolicy
{
    Strict,

    /// <summary>
    /// A file a reporter sent, as a download: stricter still — sandboxed, nothing loaded — should a browser ever
    /// render it in spite of <c>Content-Disposition: attachment</c> and <c>nosniff</c> (docs/attachments.md, "Download").
    /// </summary>
    Download,

    /// <summary>The triage page: MSAL.js may also call and frame the Entra ID instance.</summary>
    Triage,

    /// <summary>MSAL's sign-in bridge: framed by this origin only, calls nothing, and no COOP (it must reach the page that opened it).</summary>
    SignInBridge,
}

/// <summary>Declares the security headers of an HTTP function, or of all of a class's; every one declares them (a test checks).</summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class)]
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
    private const string StrictPolicy =
        "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The Content-Security-Policy of <paramref name="policy"/>. The triage page's is the strict one, except that MSAL.js
    /// may call the Entra ID <paramref name="instance"/> (token requests) and frame it (silent renewal, which ends on the
    /// sign-in bridge); only its origin is used, and it must be plain https.
    /// </summary>
    public static string ContentSecurityPolicyOf(ContentPolicy policy, Uri? instance = null) => policy switch
    {
        ContentPolicy.Triage => instance is { IsAbsoluteUri: true, Scheme: "https", UserInfo: "" } && instance.GetLeftPart(UriPartial.Authority) is var origin
            ? StrictPolicy.Replace("connect-src 'self';", $"connect-src 'self' {origin}; frame-src 'self' {origin};", StringComparison.Ordinal)
            : throw new ArgumentException("The Entra ID instance must be an absolute https URL.", nameof(instance)),
        ContentPolicy.SignInBridge => "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; "
            + "form-action 'none'; base-uri 'none'; frame-ancestors 'self'",
        ContentPolicy.Download => "sandbox; default-src 'none'",
        _ => StrictPolicy,
    };

    public Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext()?.Response.Headers is { } headers)
        {
            // An undeclared function would get the strictest policy.
            var policy = Declared<ResponsePolicyAttribute>(context)?.Policy ?? ContentPolicy.Strict;
            headers.ContentSecurityPolicy = ContentSecurityPolicyOf(policy, policy == ContentPolicy.Triage ? auth.Value.Instance : null);
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

        return next(context);
    }

    private static readonly ConcurrentDictionary<string, MethodInfo?> Methods = new();

    /// <summary>
    /// What the function's method declares, or else its class: found once per function from its entry point,
    /// <c>Namespace.Class.Method</c>.
    /// </summary>
    internal static T? Declared<T>(FunctionContext context)
        where T : Attribute =>
        Methods.GetOrAdd(context.FunctionId, static (_, entryPoint) => typeof(SecurityHeaders).Assembly
            .GetType(entryPoint[..Math.Max(0, entryPoint.LastIndexOf('.'))])?.GetMethod(entryPoint[(entryPoint.LastIndexOf('.') + 1)..]),
            context.FunctionDefinition.EntryPoint) is { } method ? DeclaredOn<T>(method) : null;

    /// <summary>What <paramref name="method"/> declares, or else its class.</summary>
    public static T? DeclaredOn<T>(MethodInfo method)
        where T : Attribute =>
        method.GetCustomAttribute<T>() ?? method.DeclaringType?.GetCustomAttribute<T>();
}
