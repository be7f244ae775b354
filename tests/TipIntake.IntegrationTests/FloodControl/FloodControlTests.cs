using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TipIntake.Infrastructure.Keys;

namespace TipIntake.IntegrationTests.FloodControl;

/// <summary>
/// Flood control over HTTP (docs/flood-control.md): the stamp protocol, the floor and its effort-too-low answer, limits
/// that hold across instances sharing storage (single use, the floor, the no-script lane), the no-script page's ticket,
/// no addresses.
/// </summary>
public sealed class FloodControlTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> ValidJweAsync(string marker) =>
        await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(marker));

    [Fact]
    public async Task Challenge_is_served_uncached_with_its_difficulty_and_expiry()
    {
        using var response = await _host.Http.GetAsync(new Uri("api/challenge", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches("^[A-Za-z0-9_-]{56}$", body.GetProperty("challenge").GetString());
        Assert.Equal(0, body.GetProperty("difficulty").GetInt32());
        Assert.Equal(0, body.GetProperty("suggestedEffort").GetInt32());
        var expiresAt = body.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task Submission_without_a_stamp_gets_428_and_is_not_queued()
    {
        using var response = await TestTips.PostWithStampAsync(_host.Http, await ValidJweAsync(TestTips.NewMarker()), stamp: null);

        await AssertProblemAsync(response, HttpStatusCode.PreconditionRequired, "stamp-required");
        Assert.Equal(0, (await _host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Submission_with_a_solved_stamp_is_accepted_and_stored()
    {
        var marker = TestTips.NewMarker();

        using var response = await TestTips.PostWithStampAsync(_host.Http, await ValidJweAsync(marker), await TestTips.SolveChallengeAsync(_host.Http));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains(marker, (await _host.WaitForTipAsync(marker)).GetString("Narrative"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stamp_is_good_for_one_submission_only()
    {
        var stamp = await TestTips.SolveChallengeAsync(_host.Http);
        using var first = await TestTips.PostWithStampAsync(_host.Http, await ValidJweAsync(TestTips.NewMarker()), stamp);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        using var again = await TestTips.PostWithStampAsync(_host.Http, await ValidJweAsync(TestTips.NewMarker()), stamp);
        await AssertProblemAsync(again, HttpStatusCode.Forbidden, "stamp-reused");

        // Another counter for the same challenge is the same challenge.
        var otherCounter = stamp[..stamp.IndexOf(':', StringComparison.Ordinal)] + ":999";
        using var reworded = await TestTips.PostWithStampAsync(_host.Http, await ValidJweAsync(TestTips.NewMarker()), otherCounter);
        await AssertProblemAsync(reworded, HttpStatusCode.Forbidden, "stamp-reused");
    }

    [Theory]
    [InlineData("garbage", HttpStatusCode.BadRequest, "stamp-malformed")]
    [InlineData("", HttpStatusCode.BadRequest, "stamp-malformed")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:0", HttpStatusCode.Forbidden, "stamp-invalid")]
    public async Task Bad_stamps_get_a_specific_problem(string stamp, HttpStatusCode status, string code)
    {
        using var response = await TestTips.PostWithStampAsync(_host.Http, await ValidJweAsync(TestTips.NewMarker()), stamp);

        await AssertProblemAsync(response, status, code);
    }

    [Fact]
    public async Task A_challenge_from_another_instance_without_a_shared_key_is_invalid_here()
    {
        await using var other = await TestHost.StartAsync(connectionString: _host.ConnectionString);
        var stamp = await TestTips.SolveChallengeAsync(other.Http);

        using var response = await TestTips.PostWithStampAsync(_host.Http, await ValidJweAsync(TestTips.NewMarker()), stamp);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "stamp-invalid");
    }

    [Fact]
    public async Task Instances_sharing_a_configured_key_accept_each_others_challenges()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var settings = new Dictionary<string, string> { ["FloodControl:ChallengeKey"] = key };
        await using var first = await TestHost.StartAsync(settings: settings);
        await using var second = await TestHost.StartAsync(settings: settings, connectionString: first.ConnectionString);
        var stamp = await TestTips.SolveChallengeAsync(first.Http);

        using var response = await TestTips.PostWithStampAsync(second.Http, await TestTips.EncryptAsync(second.Http, TestTips.ValidTipJson("shared key")), stamp);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("not.a.jwe", "application/jose", HttpStatusCode.BadRequest, "not-compact-jwe")]
    [InlineData("not.a.jwe", "text/plain", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type")]
    public async Task Shape_errors_come_before_the_stamp(string body, string contentType, HttpStatusCode status, string code)
    {
        using var response = await TestTips.PostWithStampAsync(_host.Http, body, stamp: null, contentType);

        await AssertProblemAsync(response, status, code);
    }

    [Fact]
    public async Task A_stamp_spent_on_one_instance_is_refused_on_another_sharing_its_storage()
    {
        var settings = new Dictionary<string, string> { ["FloodControl:ChallengeKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
        await using var first = await TestHost.StartAsync(settings: settings);
        await using var second = await TestHost.StartAsync(settings: settings, connectionString: first.ConnectionString);
        var stamp = await TestTips.SolveChallengeAsync(first.Http);

        using var accepted = await TestTips.PostWithStampAsync(first.Http, await TestTips.EncryptAsync(first.Http, TestTips.ValidTipJson(TestTips.NewMarker())), stamp);
        using var replayed = await TestTips.PostWithStampAsync(second.Http, await TestTips.EncryptAsync(second.Http, TestTips.ValidTipJson(TestTips.NewMarker())), stamp);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await AssertProblemAsync(replayed, HttpStatusCode.Forbidden, "stamp-reused");
    }

    [Fact]
    public async Task A_flood_raises_the_floor_for_every_instance_and_a_stamp_below_it_is_told_the_effort_that_gets_it_in_now()
    {
        var settings = new Dictionary<string, string>
        {
            ["FloodControl:ChallengeKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["FloodControl:TargetAcceptedPerSecond"] = "1",
            ["FloodControl:FloorPeriod"] = "00:00:03",
        };
        await using var first = await TestHost.StartAsync(settings: settings);
        await using var second = await TestHost.StartAsync(settings: settings, connectionString: first.ConnectionString);
        var jwk = await TestTips.GetIntakeKeyAsync(first.Http);
        var early = (await first.Http.GetFromJsonAsync<JsonElement>("api/challenge")).GetProperty("challenge").GetString()!;

        // A flood on the first instance: far more than one a second, cheaply, until the shared floor rises.
        await Eventually.HoldsAsync(
            async () =>
            {
                for (var i = 0; i < 10; i++)
                {
                    using var _ = await TestTips.PostAsync(first.Http, TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(TestTips.ValidTipJson("flood"))));
                }

                return (await second.Http.GetFromJsonAsync<JsonElement>("api/challenge")).GetProperty("difficulty").GetInt32() >= 2;
            },
            "the floor risen on the other instance");

        // The challenge fetched before the flood, solved to its own (zero) difficulty, is below the floor now: 403 with
        // the effort accepted now; the same challenge searched further is accepted.
        using var cheap = await TestTips.PostWithStampAsync(second.Http, TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(TestTips.ValidTipJson(TestTips.NewMarker()))), TestTips.Solve(early, 0, below: 2));
        await cheap.Content.LoadIntoBufferAsync();
        await AssertProblemAsync(cheap, HttpStatusCode.Forbidden, "effort-too-low");
        var problem = JsonDocument.Parse(await cheap.Content.ReadAsStringAsync()).RootElement;
        var effort = problem.GetProperty("effort").GetInt32();
        Assert.True(effort >= 2);
        Assert.True(problem.GetProperty("suggestedEffort").GetInt32() >= effort);
        var marker = TestTips.NewMarker();
        using var paid = await TestTips.PostWithStampAsync(second.Http, TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(TestTips.ValidTipJson(marker))), TestTips.Solve(early, effort + 2));
        Assert.Equal(HttpStatusCode.Accepted, paid.StatusCode);
        await second.WaitForTipAsync(marker);
    }

    [Theory]
    [InlineData("en", "Too many reports are arriving right now")]
    [InlineData("ko", "제보가 너무 많이 들어오고 있어서")]
    [InlineData("zh-Hans", "现在收到的举报太多")]
    public async Task No_script_lane_is_bounded_across_instances_keeps_what_was_typed_and_a_script_flood_cannot_take_it(string lang, string busyText)
    {
        var settings = new Dictionary<string, string>
        {
            ["FloodControl:ChallengeKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["FloodControl:MaxFormSubmissionsPerMinute"] = "0.01",
            ["FloodControl:FormSubmissionBurst"] = "1",
        };
        await using var host = await TestHost.StartAsync(settings: settings);
        await using var other = await TestHost.StartAsync(settings: settings, connectionString: host.ConnectionString);

        // The script path's traffic draws nothing from the no-script lane.
        for (var i = 0; i < 5; i++)
        {
            using var scripted = await TestTips.PostAsync(host.Http, await TestTips.EncryptAsync(host.Http, TestTips.ValidTipJson(TestTips.NewMarker())));
            Assert.Equal(HttpStatusCode.Accepted, scripted.StatusCode);
        }

        var first = TestTips.NewMarker();
        var second = TestTips.NewMarker();
        using var accepted = await PostFormAsync(host, lang, first);
        using var held = await PostFormAsync(other, lang, second);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal((HttpStatusCode)429, held.StatusCode);
        Assert.True(int.Parse(held.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        var page = await held.Content.ReadAsStringAsync();
        Assert.Contains(busyText, page, StringComparison.Ordinal);
        Assert.Contains(second, page, StringComparison.Ordinal);
        Assert.Equal("text/html", held.Content.Headers.ContentType?.MediaType);
        await host.WaitForTipAsync(first);
    }

    [Fact]
    public async Task Reposting_a_no_script_page_whose_report_was_received_shows_no_receipt_again_and_keeps_one_tip()
    {
        var marker = TestTips.NewMarker();
        var fields = await Forms.TestForms.HiddenFieldsAsync(_host.Http);
        fields["category"] = "detention";
        fields["narrative"] = $"received once {marker}";
        fields["urgency"] = "soon";

        using var received = await _host.Http.PostAsync(new Uri("submit", UriKind.Relative), new FormUrlEncodedContent(fields));
        var receipt = System.Text.RegularExpressions.Regex.Match(await received.Content.ReadAsStringAsync(), "[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}").Value;
        using var reposted = await _host.Http.PostAsync(new Uri("submit", UriKind.Relative), new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.OK, received.StatusCode);
        Assert.NotEmpty(receipt);
        Assert.Equal(HttpStatusCode.Conflict, reposted.StatusCode);
        var page = await reposted.Content.ReadAsStringAsync();
        Assert.Contains("was already received", page, StringComparison.Ordinal);
        Assert.DoesNotContain(receipt, page, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, page, StringComparison.Ordinal);
        await _host.WaitForTipAsync(marker);
        await _host.WaitUntilInboundIsEmptyAsync();
        Assert.Equal(1, await _host.CountTipsWithAsync(marker));
    }

    [Fact]
    public async Task A_no_script_post_without_its_pages_ticket_comes_back_with_what_was_typed_and_a_fresh_ticket()
    {
        var marker = TestTips.NewMarker();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["category"] = "detention",
            ["narrative"] = $"no ticket {marker}",
            ["urgency"] = "soon",
        });

        using var response = await _host.Http.PostAsync(new Uri("submit", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains(marker, page, StringComparison.Ordinal);
        Assert.Matches("name=\"ticket\" value=\"[A-Za-z0-9_-]{56}\"", page);
        Assert.Equal(0, (await _host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Nothing_about_the_sender_reaches_the_logs()
    {
        const string ForwardedFor = "203.0.113.58";
        using var http = new HttpClient { BaseAddress = _host.Host.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Forwarded-For", ForwardedFor);
        http.DefaultRequestHeaders.Add("Forwarded", $"for={ForwardedFor}");
        var stamp = await TestTips.SolveChallengeAsync(http);
        var marker = TestTips.NewMarker();

        using var response = await TestTips.PostWithStampAsync(http, await TestTips.EncryptAsync(http, TestTips.ValidTipJson(marker)), stamp);
        using var refused = await TestTips.PostWithStampAsync(http, await TestTips.EncryptAsync(http, TestTips.ValidTipJson(marker)), stamp);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await _host.WaitForTipAsync(marker);
        var appLines = _host.Logs.Lines.Where(line => line.Contains(" TipIntake.", StringComparison.Ordinal) || line.Contains(" Function.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(appLines);
        Assert.DoesNotContain(ForwardedFor, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(stamp.Split(':')[0], _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(appLines, line => line.Contains("127.0.0.1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("RemoteIpAddress")]
    [InlineData("RemotePort")]
    [InlineData("X-Forwarded-For")]
    [InlineData("X-Real-IP")]
    [InlineData("ForwardedHeaders")]
    [InlineData("HttpContext.Connection")]
    [InlineData("Connection.Remote")]
    [InlineData("IPAddress")]
    [InlineData("UserAgent")]
    public void No_source_reads_an_address(string forbidden)
    {
        var root = LocalState.FindRepositoryRoot()!;
        var sources = new[] { "TipIntake.Core", "TipIntake.Functions", "TipIntake.Infrastructure", "TipIntake.LocalHost" }
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(root, "functions", project), "*.*", SearchOption.AllDirectories))
            .Where(path => path.EndsWith(".cs", StringComparison.Ordinal) || path.EndsWith(".js", StringComparison.Ordinal))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(sources, path => path.EndsWith("FloodGate.cs", StringComparison.Ordinal));

        foreach (var path in sources)
        {
            Assert.False(File.ReadAllText(path).Contains(forbidden, StringComparison.OrdinalIgnoreCase), $"{Path.GetRelativePath(root, path)} mentions {forbidden}.");
        }
    }

    private static async Task<HttpResponseMessage> PostFormAsync(TestHost host, string lang, string marker)
    {
        using var form = await Forms.TestForms.NewFormAsync(host.Http, new Dictionary<string, string>
        {
            ["lang"] = lang,
            ["category"] = "detention",
            ["narrative"] = $"form path {marker}",
            ["urgency"] = "soon",
        });
        return await host.Http.PostAsync(new Uri("submit", UriKind.Relative), form);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:tipintake:problem:" + code, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
    }
}
