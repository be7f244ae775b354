namespace TipIntake.Functions.Http;

/// <summary>
/// Whether a form post comes from this site's own page. A page elsewhere could otherwise make its visitors' browsers
/// post reports here (spam in a stranger's name, or a fake report planted from someone's browser).
/// <list type="bullet">
/// <item><c>Sec-Fetch-Site</c>, which every current browser sends (Tor Browser too) and no page can set, decides when
/// present: <c>same-origin</c> or <c>none</c> (typed, bookmarked, reloaded) pass; <c>same-site</c> and
/// <c>cross-site</c> do not.</item>
/// <item>Without it (an old browser), an <c>Origin</c> naming another host is refused. <c>Origin: null</c> passes: our
/// pages set <c>Referrer-Policy: no-referrer</c>, with which browsers send <c>null</c> even from this site's own form.
/// No <c>Origin</c> at all passes too: browsers before 2019 sent none with form posts, and a reporter may be using one.</item>
/// </list>
/// </summary>
public static class FormOrigin
{
    public static bool IsOwnPage(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var site = request.Headers["Sec-Fetch-Site"];
        if (site.Count > 0)
        {
            return site.Count == 1 && site[0] is "same-origin" or "none";
        }

        var origin = request.Headers.Origin;
        return origin.Count == 0 || (origin.Count == 1 && (origin[0] == "null" || (Uri.TryCreate(origin[0], UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https"
            && string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == (request.Host.Port ?? (uri.Scheme == "https" ? 443 : 80)))));
    }
}
