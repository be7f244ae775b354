using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using TipIntake.Core.Staff;
using TipIntake.Infrastructure.Staff;
using Xunit.Abstractions;

namespace TipIntake.IntegrationTests.Hostile;

/// <summary>Runs alone, so that the memory it measures is the corpus's and no other test's.</summary>
[CollectionDefinition(nameof(HostileRun), DisableParallelization = true)]
public sealed class HostileRun;

/// <summary>
/// The hostile-input corpus (<c>Hostile/corpus.json</c>, issue 7 item 2) against one local host in Development with the
/// real staff authenticator: every case gets its specific 4xx — problem+json on API routes, the page's own HTML on
/// page routes — never a 5xx, never later than <see cref="HostileClient.AnswerBound"/>, and the process's managed
/// memory stays within <see cref="PeakHeapGrowthBound"/> while the corpus runs and returns near its start afterwards.
/// </summary>
[Collection(nameof(HostileRun))]
public sealed class HostileInputTests(HostileInputTests.HostFixture fixture, ITestOutputHelper output) : IClassFixture<HostileInputTests.HostFixture>
{
    /// <summary>The managed heap may grow this much above its start while the corpus runs (10 MB bodies are in it).</summary>
    public const long PeakHeapGrowthBound = 128L * 1024 * 1024;

    /// <summary>After the corpus and a full collection, this much more may remain (caches, pools, the JIT's data).</summary>
    public const long RetainedHeapBound = 32L * 1024 * 1024;

    /// <summary>
    /// The worker, a process of its own, reads and parses the bodies: its resident memory (managed heap and all) may grow
    /// this much while the corpus runs.
    /// </summary>
    public const long PeakWorkerRssGrowthBound = 256L * 1024 * 1024;

    private const int Parallelism = 6;

    [Fact]
    public void Corpus_has_at_least_200_named_cases_that_expect_only_client_errors()
    {
        var cases = HostileCase.LoadCorpus();

        Assert.True(cases.Count >= 200, $"The corpus has {cases.Count} cases.");
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        // Only client errors, except where acceptance is as valid as refusal (odd but legal text in a form field).
        Assert.All(cases, c => Assert.All(c.Expect.Statuses, s => Assert.InRange(s, c.Expect.Body == "any" ? 200 : 400, 499)));
        Assert.All(cases, c => Assert.Contains(c.Expect.Statuses, s => s >= 400));
        Assert.All(cases.Where(c => c.Expect.Body == "problem"), c => Assert.StartsWith("urn:tipintake:problem:", c.Expect.TypePrefix));
        foreach (var category in new[] { "tips", "submit", "static", "intake-key", "triage", "injection", "slow", "uploads" })
        {
            Assert.Contains(cases, c => c.Category == category);
        }
    }

    [Fact]
    public async Task Every_case_gets_its_specific_client_error_in_time_and_memory_stays_bounded()
    {
        var cases = HostileCase.LoadCorpus();
        var builder = new HostileRequestBuilder(fixture.Values, fixture.NewTicket, fixture.NewStamp);
        using var client = new HostileClient(fixture.Host.Host.BaseAddress, builder);
        var failures = new ConcurrentBag<string>();
        var slowest = new ConcurrentBag<(string Name, TimeSpan Elapsed)>();

        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var worker = fixture.Host.Host.Worker.ProcessId!.Value;
        var workerBaseline = MemorySampler.Rss(worker);
        using var sampler = new MemorySampler(worker);
        var total = Stopwatch.StartNew();
        await Parallel.ForEachAsync(
            // Slow cases first: they take seconds each and overlap with the many quick ones.
            cases.OrderByDescending(c => c.Slow is not null),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (c, _) =>
            {
                try
                {
                    var response = await client.SendAsync(c);
                    slowest.Add((c.Name, response.Elapsed));
                    if (Check(c, response) is { } failure)
                    {
                        failures.Add(failure);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
                {
                    failures.Add($"{c.Name}: no answer ({ex.GetType().Name}: {ex.Message})");
                }
            });
        total.Stop();
        var peak = sampler.Stop();
        var retained = GC.GetTotalMemory(forceFullCollection: true);

        output.WriteLine($"{cases.Count} cases in {total.Elapsed.TotalSeconds:F1} s.");
        output.WriteLine($"Managed heap: {Mb(baseline)} at start, peak {Mb(peak.Heap)} (+{Mb(peak.Heap - baseline)}), {Mb(retained)} after a full GC at the end.");
        output.WriteLine($"Working set: peak {Mb(peak.WorkingSet)}.");
        output.WriteLine($"Worker process (which reads the bodies): RSS {Mb(workerBaseline)} at start, peak {Mb(peak.WorkerRss)} (+{Mb(peak.WorkerRss - workerBaseline)}).");
        foreach (var (name, elapsed) in slowest.OrderByDescending(s => s.Elapsed).Take(8))
        {
            output.WriteLine($"  {elapsed.TotalSeconds,5:F2} s  {name}");
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join('\n', failures.Order(StringComparer.Ordinal)));
        Assert.True(peak.Heap - baseline < PeakHeapGrowthBound, $"The managed heap grew by {Mb(peak.Heap - baseline)} while the corpus ran.");
        Assert.True(retained - baseline < RetainedHeapBound, $"{Mb(retained - baseline)} more stayed on the managed heap after the corpus.");
        Assert.True(peak.WorkerRss - workerBaseline < PeakWorkerRssGrowthBound, $"The worker's resident memory grew by {Mb(peak.WorkerRss - workerBaseline)} while the corpus ran.");
    }

    /// <summary>Null when the answer is what the case expects, otherwise why not.</summary>
    private static string? Check(HostileCase c, HostileResponse response)
    {
        var what = $"{c.Name}: {response.Status} {response.MediaType} via {response.Via} after {response.Elapsed.TotalSeconds:F1} s";
        if (response.Status >= 500 || response.Status == 0)
        {
            return $"{what}: a server error or no answer. {Preview(response.Body)}";
        }

        if (!c.Expect.Statuses.Contains(response.Status))
        {
            return $"{what}: expected {string.Join('|', c.Expect.Statuses)}. {Preview(response.Body)}";
        }

        if (response.Elapsed > HostileClient.AnswerBound)
        {
            return $"{what}: slower than {HostileClient.AnswerBound.TotalSeconds} s.";
        }

        switch (c.Expect.Body)
        {
            case "problem":
                if (response.MediaType != "application/problem+json")
                {
                    return $"{what}: expected application/problem+json. {Preview(response.Body)}";
                }

                try
                {
                    using var problem = JsonDocument.Parse(response.Body);
                    var type = problem.RootElement.GetProperty("type").GetString() ?? "";
                    if (!type.StartsWith(c.Expect.TypePrefix ?? "urn:tipintake:problem:", StringComparison.Ordinal))
                    {
                        return $"{what}: type {type}, expected {c.Expect.TypePrefix}…";
                    }

                    if (problem.RootElement.GetProperty("status").GetInt32() != response.Status
                        || string.IsNullOrWhiteSpace(problem.RootElement.GetProperty("detail").GetString()))
                    {
                        return $"{what}: the problem's status or detail is wrong. {Preview(response.Body)}";
                    }
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    return $"{what}: not a problem document ({ex.GetType().Name}). {Preview(response.Body)}";
                }

                return null;
            case "html":
                return response.MediaType == "text/html" ? null : $"{what}: expected the route's HTML page.";
            case "empty":
                return response.Body.Length == 0 ? null : $"{what}: expected Kestrel's bodiless refusal. {Preview(response.Body)}";
            case "any":
                return null;
            default:
                return $"{c.Name}: unknown body expectation {c.Expect.Body}.";
        }
    }

    private static string Preview(byte[] body) => body.Length == 0 ? "(no body)" : Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300));

    private static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MB";


    /// <summary>
    /// One host for the corpus, and the values its placeholders name: the intake key's kid, staff tokens from the
    /// development sign-in, tokens crafted with the development signing key (expired, wrong audience, wrong issuer),
    /// and a real tip with its ETag.
    /// </summary>
    public sealed class HostFixture : IAsyncLifetime
    {
        public TestHost Host { get; private set; } = null!;

        public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

        /// <summary>A fresh no-script page ticket, for <c>{{ticket}}</c>.</summary>
        public string NewTicket() => Host.App.GetRequiredService<Core.FloodControl.FloodGate>().IssueFormTicket();

        /// <summary>A freshly solved proof-of-work stamp, for <c>{{stamp}}</c> (the worker shares the challenge key).</summary>
        public string NewStamp()
        {
            var challenge = Host.App.GetRequiredService<Core.FloodControl.FloodGate>().IssueChallenge();
            return TestTips.Solve(challenge.Challenge, challenge.Difficulty);
        }

        public async Task InitializeAsync()
        {
            // One challenge key for the worker and the app services beside it, so that a ticket made here is the worker's.
            Host = await TestHost.StartAsync(settings: new Dictionary<string, string>
            {
                ["FloodControl:ChallengeKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            });
            var http = Host.Http;
            var kid = (await TestTips.GetIntakeKeyAsync(http)).GetProperty("kid").GetString()!;
            var keyUri = new Uri(kid);
            Values["kid"] = kid;
            Values["keyBase"] = kid[..(kid.LastIndexOf('/') + 1)];
            Values["version"] = kid[(kid.LastIndexOf('/') + 1)..];
            Values["vaultHost"] = keyUri.Host;
            Values["host"] = Host.Host.BaseAddress.Authority;
            Values["token:editor"] = await TokenAsync(StaffRoles.Editor);
            Values["token:reader"] = await TokenAsync(StaffRoles.Reader);
            Values["token:none"] = await TokenAsync();

            var issuer = Host.Host.Services.GetRequiredService<DevelopmentTokenIssuer>();
            var now = DateTime.UtcNow;
            Values["token:expired"] = Craft(issuer, issuer.Audience, DevelopmentTokenIssuer.IssuerName, now.AddHours(-3), now.AddHours(-2));
            Values["token:wrong-audience"] = Craft(issuer, "api://someone-else", DevelopmentTokenIssuer.IssuerName, now, now.AddHours(1));
            Values["token:wrong-issuer"] = Craft(issuer, issuer.Audience, "https://login.microsoftonline.com/evil/v2.0", now, now.AddHours(1));
            Values["token:not-yet-valid"] = Craft(issuer, issuer.Audience, DevelopmentTokenIssuer.IssuerName, now.AddHours(2), now.AddHours(3));

            var marker = TestTips.NewMarker();
            using var submitted = await TestTips.PostAsync(http, await TestTips.EncryptAsync(http, TestTips.ValidTipJson(marker)));
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            var tipId = (await Host.WaitForTipAsync(marker)).RowKey;
            Values["tipId"] = tipId;
            using var read = new HttpRequestMessage(HttpMethod.Get, new Uri($"/api/triage/tips/{tipId}", UriKind.Relative));
            read.Headers.Authorization = new("Bearer", Values["token:editor"]);
            using var tip = await http.SendAsync(read);
            Assert.Equal(HttpStatusCode.OK, tip.StatusCode);
            Values["etag"] = tip.Headers.ETag!.Tag;

            await CreateUploadsAsync();
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();

        /// <summary>
        /// The uploads the upload cases name: one open (one small chunk, none sent), one completed, and a stamp spent
        /// on creating a third.
        /// </summary>
        private async Task CreateUploadsAsync()
        {
            var uploads = new Attachments.UploadClient(Host.Http);
            var open = Core.Intake.SubmissionId.New().ToString();
            using (var created = await uploads.CreateAsync(open, 1, Core.Attachments.ChunkLayout.SmallChunkBytes))
            {
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            var complete = Core.Intake.SubmissionId.New().ToString();
            var file = Core.Attachments.AttachmentEncryptor.Encrypt("a file"u8, complete, Core.Attachments.ChunkLayout.SmallChunkBytes, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            using (var created = await uploads.CreateAsync(complete, 1, Core.Attachments.ChunkLayout.SmallChunkBytes))
            using (var sent = await uploads.SendChunkAsync(complete, 0, file.Chunks[0]))
            using (var completed = await uploads.CompleteAsync(complete, file.ChunkDigests))
            {
                Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
            }

            var spent = NewStamp();
            using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("api/uploads", UriKind.Relative))
            {
                Content = JsonContent.Create(new { v = 1, chunks = 1, chunkBytes = Core.Attachments.ChunkLayout.SmallChunkBytes }),
            };
            request.Headers.TryAddWithoutValidation(Attachments.UploadClient.UploadHeader, Core.Intake.SubmissionId.New().ToString());
            request.Headers.TryAddWithoutValidation(TestTips.StampHeader, spent);
            using (var response = await Host.Http.SendAsync(request))
            {
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }

            Values["upload:open"] = open;
            Values["upload:complete"] = complete;
            Values["stamp:spent"] = spent;
        }

        private async Task<string> TokenAsync(params string[] roles)
        {
            using var response = await Host.Http.PostAsJsonAsync("/dev/token", new { roles, name = "Hostile " + string.Join('+', roles) });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        }

        /// <summary>
        /// A token signed with the host's own development key (read from the issuer by reflection: no API hands out
        /// the private key, rightly), but with claims the issuer never issues.
        /// </summary>
        private static string Craft(DevelopmentTokenIssuer issuer, string audience, string issuerName, DateTime notBefore, DateTime expires)
        {
            var key = (SecurityKey)typeof(DevelopmentTokenIssuer)
                .GetField("_signingKey", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(issuer)!;
            var objectId = "00000000-0000-0000-0000-00000000beef";
            return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = issuerName,
                Audience = audience,
                IssuedAt = notBefore,
                NotBefore = notBefore,
                Expires = expires,
                Claims = new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    ["oid"] = objectId,
                    ["sub"] = objectId,
                    ["name"] = "Crafted",
                    ["scp"] = DevelopmentTokenIssuer.DefaultScope,
                    ["ver"] = "2.0",
                    ["roles"] = new[] { StaffRoles.Editor },
                },
                SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
            });
        }
    }
}
