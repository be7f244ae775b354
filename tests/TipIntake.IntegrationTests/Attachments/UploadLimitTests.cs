using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>
/// The upload routes' limits through the real worker (docs/attachments.md, "Open uploads" and "Ask what arrived"): a
/// create beyond <c>Attachments:MaxOpenUploads</c> is 429 <c>rate-limited</c> with <c>Retry-After</c> until an upload
/// is freed, and the stampless ask of what arrived is 429 once its shared bucket is empty.
/// </summary>
public sealed class UploadLimitTests
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;

    [Fact]
    public async Task A_create_beyond_MaxOpenUploads_is_429_with_Retry_After_until_an_upload_is_freed()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string> { ["Attachments:MaxOpenUploads"] = "2" });
        var client = new UploadClient(host.Http);
        var (first, second, third) = (NewUpload(), NewUpload(), NewUpload());
        foreach (var upload in new[] { first, second })
        {
            using var created = await client.CreateAsync(upload, 1, ChunkBytes);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var refused = await client.CreateAsync(third, 1, ChunkBytes))
        {
            await AssertRateLimitedAsync(refused);
            Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter?.Delta);
        }

        // A resend of an open upload still answers: it takes no slot.
        using (var again = await client.CreateAsync(first, 1, ChunkBytes))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        // Freed as binding or the sweep frees one, by another instance of the app: the worker creates again.
        Assert.True(UploadId.TryParse(first, out var freed));
        await host.App.GetRequiredService<IUploadStore>().DeleteAsync(freed, default);
        await Eventually.HoldsAsync(async () =>
        {
            using var created = await client.CreateAsync(third, 1, ChunkBytes);
            return created.StatusCode == HttpStatusCode.Created;
        }, "a create once an upload was freed");
    }

    [Fact]
    public async Task Asks_of_what_arrived_beyond_the_shared_bucket_are_429_with_Retry_After()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string> { ["Attachments:MaxStatusReadsPerSecond"] = "1" });
        var client = new UploadClient(host.Http);
        var upload = NewUpload();
        using (var created = await client.CreateAsync(upload, 1, ChunkBytes))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The bucket holds two seconds' worth: a few asks in a row empty it.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 12 && !answers.Contains(HttpStatusCode.TooManyRequests); i++)
        {
            using var progress = await client.ProgressAsync(upload);
            answers.Add(progress.StatusCode);
            if (progress.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await AssertRateLimitedAsync(progress);
                Assert.Equal(TimeSpan.FromSeconds(1), progress.Headers.RetryAfter?.Delta);
            }
        }

        Assert.Equal(HttpStatusCode.OK, answers[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, answers[^1]);
    }

    private static async Task AssertRateLimitedAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("urn:tipintake:problem:rate-limited", problem.GetProperty("type").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    private static string NewUpload() => SubmissionId.New().ToString();
}
