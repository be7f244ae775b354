using Microsoft.Playwright;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// A fresh browser context on one page, recording every request it makes, every console error and every
/// Content-Security-Policy violation, so tests can assert the page stays on its own origin and within its CSP.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private BrowserSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    public List<string> Requests { get; } = [];

    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Opens <paramref name="url"/> in a new context and asserts it answered 200.</summary>
    public static async Task<BrowserSession> OpenAsync(IBrowser browser, Uri url, BrowserNewContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.NewContextAsync(options);
        var session = new BrowserSession(context, await context.NewPageAsync());
        session.Page.Request += (_, request) => session.Requests.Add(request.Url);
        session.Page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session.ConsoleErrors.Add(message.Text);
            }
        };
        await session.Page.AddInitScriptAsync(
            "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));");
        var response = await session.Page.GotoAsync(url.ToString());
        Assert.Equal(200, response!.Status);
        return session;
    }

    public async Task<IReadOnlyList<string>> CspViolationsAsync() =>
        await Page.EvaluateAsync<string[]>("() => window.__csp || []");

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}
