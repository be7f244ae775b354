using System.Net;

namespace TipIntake.IntegrationTests.FollowUp;

/// <summary>The lookup bucket (<c>FollowUp:MaxLookupsPerSecond</c>, <c>LookupBurst</c>), shared by every instance, beside the stamp.</summary>
public sealed class FollowUpRateLimitTests
{
    [Fact]
    public async Task An_empty_lookup_bucket_answers_429_rate_limited_with_Retry_After()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string>
        {
            ["FollowUp:MaxLookupsPerSecond"] = "0.01",
            ["FollowUp:LookupBurst"] = "1",
        });

        using var first = await FollowUpLookupTests.LookUpAsync(host, FollowUpClient.RandomLookup());
        using var second = await FollowUpLookupTests.LookUpAsync(host, FollowUpClient.RandomLookup());

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode)429, second.StatusCode);
        Assert.Contains("urn:tipintake:problem:rate-limited", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.NotNull(second.Headers.RetryAfter);
    }
}
