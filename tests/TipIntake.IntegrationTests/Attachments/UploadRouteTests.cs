using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>
/// Issue 16, the resumable upload routes through the real worker on Azurite (docs/attachments.md, "The upload protocol,
/// for other clients"): a file encrypted by an independent client (<see cref="AttachmentEncryptor"/>) is uploaded out of
/// order with a resend, asked about, completed, and read back from <c>attachments-staging</c> to the original bytes.
/// </summary>
public sealed class UploadRouteTests : IAsyncLifetime
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_file_uploaded_out_of_order_with_a_resend_completes_to_D_and_decrypts_from_the_stored_blob()
    {
        var client = new UploadClient(_host.Http);
        var upload = SubmissionId.New().ToString();
        var key = RandomNumberGenerator.GetBytes(32);
        var original = RandomNumberGenerator.GetBytes((2 * ChunkLayout.SmallPlaintextBytes) + 1234);
        var file = AttachmentEncryptor.Encrypt(original, upload, ChunkBytes, key);
        Assert.Equal(3, file.Chunks.Count);

        using (var created = await client.CreateAsync(upload, 3, ChunkBytes))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(upload, body.GetProperty("upload").GetString());
            Assert.Equal(3, body.GetProperty("chunks").GetInt32());
            Assert.Equal(ChunkBytes, body.GetProperty("chunkBytes").GetInt32());
            Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
        }

        using (var again = await client.CreateAsync(upload, 3, ChunkBytes))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using (var other = await client.CreateAsync(upload, 4, ChunkBytes))
        {
            await AssertProblemAsync(other, HttpStatusCode.Conflict, "upload-conflict");
        }

        foreach (var index in new[] { 2, 0, 2 })
        {
            using var sent = await client.SendChunkAsync(upload, index, file.Chunks[index]);
            Assert.Equal(HttpStatusCode.NoContent, sent.StatusCode);
        }

        Assert.Equal(new[] { 0, 2 }, await ReceivedAsync(client, upload, file));

        using (var early = await client.CompleteAsync(upload, file.ChunkDigests))
        {
            var problem = await AssertProblemAsync(early, HttpStatusCode.Conflict, "upload-incomplete");
            Assert.Equal([1], problem.GetProperty("missing").EnumerateArray().Select(i => i.GetInt32()));
        }

        using (var last = await client.SendChunkAsync(upload, 1, file.Chunks[1]))
        {
            Assert.Equal(HttpStatusCode.NoContent, last.StatusCode);
        }

        Assert.Equal(new[] { 0, 1, 2 }, await ReceivedAsync(client, upload, file));

        var digest = Base64Url.EncodeToString(file.Digest);
        foreach (var attempt in new[] { "first", "resend" })
        {
            using var completed = await client.CompleteAsync(upload, file.ChunkDigests);
            Assert.True(completed.StatusCode == HttpStatusCode.OK, attempt);
            Assert.Equal(digest, (await completed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("digest").GetString());
        }

        using (var progress = await client.ProgressAsync(upload))
        {
            var body = await progress.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("complete").GetBoolean());
            Assert.Equal(digest, body.GetProperty("digest").GetString());
        }

        using (var late = await client.SendChunkAsync(upload, 0, file.Chunks[0]))
        {
            await AssertProblemAsync(late, HttpStatusCode.Conflict, "upload-complete");
        }

        using (var swapped = await client.CompleteAsync(upload, file.ChunkDigests.Reverse()))
        {
            await AssertProblemAsync(swapped, HttpStatusCode.Conflict, "upload-conflict");
        }

        var blob = new BlobServiceClient(_host.ConnectionString).GetBlobContainerClient(StorageNames.AttachmentsStagingContainer).GetBlobClient(upload);
        using var stored = new MemoryStream((await blob.DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(file.Chunks.SelectMany(c => c).ToArray(), stored.ToArray());
        using var plaintext = new MemoryStream();
        var fault = await AttachmentDecryptor.DecryptAsync(stored, plaintext, new StoredAttachment(upload, 3, ChunkBytes, original.Length, file.Digest, file.Sha256), key, default);
        Assert.Equal(AttachmentIntegrityFault.None, fault);
        Assert.Equal(original, plaintext.ToArray());

        // The upload id travels in every path, and is never logged (docs/attachments.md): not by the host, not by the worker.
        await Eventually.HoldsAsync(
            () => Task.FromResult(_host.Logs.Lines.Any(line => line.Contains("An upload was completed: 3 chunks of 262160 bytes", StringComparison.Ordinal))),
            "the worker's completion line reached the host's log");
        Assert.DoesNotContain(upload, _host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uploads_are_off_unless_enabled_and_then_every_route_is_a_404()
    {
        await using var host = await TestHost.StartAsync(settings: new Dictionary<string, string> { ["Attachments:UploadsEnabled"] = "false" });
        var client = new UploadClient(host.Http);
        var upload = SubmissionId.New().ToString();
        var chunk = new byte[ChunkBytes];

        using (var created = await client.CreateAsync(upload, 1, ChunkBytes))
        {
            await AssertProblemAsync(created, HttpStatusCode.NotFound, "not-found");
        }

        using (var sent = await client.SendChunkAsync(upload, 0, chunk))
        {
            await AssertProblemAsync(sent, HttpStatusCode.NotFound, "not-found");
        }

        using (var progress = await client.ProgressAsync(upload))
        {
            await AssertProblemAsync(progress, HttpStatusCode.NotFound, "not-found");
        }

        using (var completed = await client.CompleteAsync(upload, [SHA256.HashData(chunk)]))
        {
            await AssertProblemAsync(completed, HttpStatusCode.NotFound, "not-found");
        }

        var staging = new BlobServiceClient(host.ConnectionString).GetBlobContainerClient(StorageNames.AttachmentsStagingContainer);
        Assert.False(await staging.ExistsAsync() && await staging.GetBlobsAsync().AnyAsync());
    }

    [Fact]
    public async Task A_chunk_is_refused_with_its_own_problem_and_nothing_is_staged()
    {
        var client = new UploadClient(_host.Http);
        var upload = SubmissionId.New().ToString();
        var file = AttachmentEncryptor.Encrypt(RandomNumberGenerator.GetBytes(100), upload, ChunkBytes, RandomNumberGenerator.GetBytes(32));
        var chunk = file.Chunks[0];

        using (var unknown = await client.SendChunkAsync(upload, 0, chunk))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "upload-unknown");
        }

        using (var created = await client.CreateAsync(upload, 1, ChunkBytes))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (var outOfRange = await client.SendChunkAsync(upload, 1, chunk))
        {
            await AssertProblemAsync(outOfRange, HttpStatusCode.UnprocessableEntity, "chunk-index-out-of-range");
        }

        using (var mismatch = await client.SendChunkAsync(upload, 0, chunk, SHA256.HashData(chunk[1..])))
        {
            await AssertProblemAsync(mismatch, HttpStatusCode.UnprocessableEntity, "chunk-digest-mismatch");
        }

        using (var shorter = await client.SendChunkAsync(upload, 0, chunk[..^1]))
        {
            await AssertProblemAsync(shorter, HttpStatusCode.BadRequest, "chunk-size-mismatch");
        }

        using (var longer = await client.SendChunkAsync(upload, 0, [.. chunk, 0]))
        {
            await AssertProblemAsync(longer, HttpStatusCode.RequestEntityTooLarge, "chunk-too-large");
        }

        Assert.Empty(await ReceivedAsync(client, upload, file));
    }

    private static async Task<int[]> ReceivedAsync(UploadClient client, string upload, EncryptedFile file)
    {
        using var response = await client.ProgressAsync(upload);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.GetProperty("complete").GetBoolean());
        var received = body.GetProperty("received").EnumerateArray().ToList();
        foreach (var chunk in received)
        {
            var index = chunk.GetProperty("index").GetInt32();
            Assert.Equal(Base64Url.EncodeToString(file.ChunkDigests[index].AsSpan(0, 16)), chunk.GetProperty("digest").GetString());
        }

        return [.. received.Select(c => c.GetProperty("index").GetInt32())];
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal("urn:tipintake:problem:" + code, problem.GetProperty("type").GetString());
        return problem;
    }
}
