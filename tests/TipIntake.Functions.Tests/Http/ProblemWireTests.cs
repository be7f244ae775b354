using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.FloodControl;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Tests.Http;

/// <summary>The problem+json wire format the framework's <c>ProblemDetails</c> writes, member for member (docs/architecture.md).</summary>
public sealed class ProblemWireTests
{
    [Fact]
    public async Task A_problem_is_type_title_status_detail_and_nothing_else()
    {
        var (response, body) = await ExecuteAsync(http => Problems.TipNotFound());

        Assert.Equal(404, response.StatusCode);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("""{"type":"urn:tipintake:problem:triage-not-found","title":"No such tip","status":404,"detail":"No tip with this id."}""", body);
    }

    [Fact]
    public async Task Effort_too_low_carries_the_efforts_as_numbers()
    {
        var decision = new FloodDecision(FloodRefusal.EffortTooLow, RequiredEffort: 18, SuggestedEffort: 19);
        var (response, body) = await ExecuteAsync(http => Problems.ForFlood(http.Response, decision));

        Assert.Equal(403, response.StatusCode);
        Assert.EndsWith(""","effort":18,"suggestedEffort":19}""", body, StringComparison.Ordinal);
        Assert.StartsWith("""{"type":"urn:tipintake:problem:""", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_staff_problems_carry_their_headers()
    {
        var (unauthenticated, _) = await ExecuteAsync(http => Problems.Unauthenticated(http.Response));
        var (unavailable, _) = await ExecuteAsync(http => Problems.TriageUnavailable(http.Response));

        Assert.Equal("Bearer", unauthenticated.Headers.WWWAuthenticate);
        Assert.Equal("5", unavailable.Headers.RetryAfter);
        Assert.Equal(503, unavailable.StatusCode);
    }

    private static async Task<(HttpResponse Response, string Body)> ExecuteAsync(Func<HttpContext, IResult> problem)
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        using var body = new MemoryStream();
        http.Response.Body = body;
        await problem(http).ExecuteAsync(http);
        return (http.Response, Encoding.UTF8.GetString(body.ToArray()));
    }
}
