using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>
/// Binding through the real worker (docs/attachments.md, "Processing: binding, quarantine"): a file uploaded through
/// the routes and named by a tip sent to <c>/api/tips</c> is attached by the processor — its row <c>attached</c>, its
/// ciphertext at <c>attachments/&lt;tip id&gt;/1</c>, decrypting to the original — while a second entry naming an
/// upload that never came leaves an <c>awaited</c> row; the upload id is in no log line.
/// </summary>
public sealed class AttachmentProcessingTests : IAsyncLifetime
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_tip_naming_a_completed_upload_gets_it_attached_and_one_naming_an_absent_upload_awaits_it()
    {
        var client = new UploadClient(_host.Http);
        var upload = SubmissionId.New().ToString();
        var absent = SubmissionId.New().ToString();
        var key = RandomNumberGenerator.GetBytes(32);
        var original = RandomNumberGenerator.GetBytes(ChunkLayout.SmallPlaintextBytes + 99);
        var file = AttachmentEncryptor.Encrypt(original, upload, ChunkBytes, key);
        using (var created = await client.CreateAsync(upload, file.Chunks.Count, ChunkBytes))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        for (var index = 0; index < file.Chunks.Count; index++)
        {
            using var sent = await client.SendChunkAsync(upload, index, file.Chunks[index]);
            Assert.Equal(HttpStatusCode.NoContent, sent.StatusCode);
        }

        using (var completed = await client.CompleteAsync(upload, file.ChunkDigests))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        var marker = TestTips.NewMarker();
        var tipJson = TestTips.ValidTipJson("Photos of the notice. " + marker);
        var withFiles = tipJson[..tipJson.LastIndexOf('}')] + $",\"attachments\":[{Entry(upload, file, original.Length)},{Entry(absent, file, original.Length)}]}}";
        using (var posted = await TestTips.PostAsync(_host.Http, await TestTips.EncryptAsync(_host.Http, withFiles)))
        {
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        }

        var tipId = (await _host.WaitForTipAsync(marker)).RowKey;
        var attachments = _host.App.GetRequiredService<ITipAttachmentStore>();
        var rows = await Eventually.ReturnsAsync(
            async () => await attachments.ListAsync(tipId, default) is { Count: 2 } both ? both : null, "both attachment rows");

        Assert.Equal([(1, AttachmentState.Attached, upload), (2, AttachmentState.Awaited, absent)], rows.Select(r => (r.Number, r.State, r.Entry.Upload)));
        using var ciphertext = await attachments.OpenCiphertextAsync(tipId, 1, ChunkBytes, default);
        using var plaintext = new MemoryStream();
        Assert.Equal(AttachmentIntegrityFault.None, await AttachmentDecryptor.DecryptAsync(ciphertext!, plaintext, rows[0].ToStored(), key, default));
        Assert.Equal(original, plaintext.ToArray());
        Assert.False(await new BlobServiceClient(_host.ConnectionString).GetBlobContainerClient(StorageNames.AttachmentsStagingContainer).GetBlobClient(upload).ExistsAsync());

        await _host.WaitForLogAsync(line => line.Contains("A tip's file 1 was attached", StringComparison.Ordinal), "the binder's log line");
        Assert.DoesNotContain(upload, _host.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(absent, _host.Logs.All, StringComparison.Ordinal);
    }

    /// <summary>The entry as the form writes it (the key wrap is random bytes of an RSA-2048 wrap's length: nobody unwraps it here).</summary>
    private static string Entry(string upload, EncryptedFile file, long size) =>
        Encoding.UTF8.GetString(AttachmentEntryJson.Write(new AttachmentEntry(
            upload, file.Digest, file.Chunks.Count, ChunkBytes, "intake-key", JoseBase64.Encode(RandomNumberGenerator.GetBytes(256)), size, file.Sha256,
            "application/pdf", "document-1.pdf", "unchecked", [])));
}
