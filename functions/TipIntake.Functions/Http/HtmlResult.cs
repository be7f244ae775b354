using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace TipIntake.Functions.Http;

/// <summary>
/// A server-rendered page. Never cached: a re-rendered form holds what the reporter typed. Served under the strict
/// <see cref="SecurityHeaders.ContentSecurityPolicy"/> unless a page names its own (the triage page's allows Entra ID).
/// </summary>
public sealed class HtmlResult(int status, string html, string? contentSecurityPolicy = null) : IActionResult
{
    public int StatusCode => status;

    public string ContentSecurityPolicy => contentSecurityPolicy ?? SecurityHeaders.ContentSecurityPolicy;

    public string Html => html;

    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        SecurityHeaders.Apply(response, SecurityHeaders.NoStore, ContentSecurityPolicy);
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(html), context.HttpContext.RequestAborted).ConfigureAwait(false);
    }
}
