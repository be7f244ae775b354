using System.Net;

namespace TipIntake.IntegrationTests.Forms;

/// <summary>
/// Issue 13, finding 7: the no-script form accepted posts made by another site's page. Now <c>Sec-Fetch-Site</c>
/// decides where a browser sends it, and an old browser's foreign <c>Origin</c> is refused; a post without either
/// (an old browser) and <c>Origin: null</c> (what browsers send under <c>Referrer-Policy: no-referrer</c>) still work.
/// </summary>
public sealed class FormOriginTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("cross-site", null)]
    [InlineData("same-site", null)]
    [InlineData("cross-site", "null")]
    [InlineData(null, "https://attacker.example")]
    [InlineData(null, "http://127.0.0.2:7071")]
    public async Task Post_from_another_sites_page_is_refused_unread_and_nothing_is_queued(string? fetchSite, string? origin)
    {
        var marker = TestTips.NewMarker();

        using var response = await PostAsync(marker, fetchSite, origin);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("it came from a page on another website", page, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, page, StringComparison.Ordinal);
        Assert.Equal(0, (await _host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Theory]
    [InlineData("same-origin", "null")]
    [InlineData("same-origin", null)]
    [InlineData("none", null)]
    [InlineData(null, null)]
    [InlineData(null, "null")]
    [InlineData(null, "self")]
    public async Task Post_from_this_sites_own_page_or_an_old_browser_is_accepted(string? fetchSite, string? origin)
    {
        var marker = TestTips.NewMarker();

        using var response = await PostAsync(marker, fetchSite, origin == "self" ? _host.Host.BaseAddress.GetLeftPart(UriPartial.Authority) : origin);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _host.WaitForTipAsync(marker);
    }

    private async Task<HttpResponseMessage> PostAsync(string marker, string? fetchSite, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("submit", UriKind.Relative))
        {
            Content = await TestForms.NewFormAsync(_host.Http, new Dictionary<string, string>
            {
                ["category"] = "detention",
                ["narrative"] = $"cross-origin check {marker}",
                ["urgency"] = "soon",
            }),
        };
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        return await _host.Http.SendAsync(request);
    }
}
