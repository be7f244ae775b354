using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Infrastructure.Attachments;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>
/// A tip's file stored as the processor's binding leaves it: the row through <see cref="AzureTipAttachmentStore"/>, the
/// ciphertext of an independent client (<see cref="AttachmentEncryptor"/>, 256 KiB chunks) at
/// <c>attachments/&lt;tip id&gt;/&lt;n&gt;</c>, its key wrapped to the host's intake key.
/// </summary>
internal static class AttachmentSeeds
{
    /// <param name="keyId">Another key version than the host's (one it does not have) for a key that is gone.</param>
    /// <param name="tamper">Changes the ciphertext before it is stored.</param>
    /// <returns>The file's upload id.</returns>
    public static async Task<string> SeedFileAsync(
        TestHost host,
        string tipId,
        int number,
        byte[] file,
        string type,
        AttachmentState state = AttachmentState.Attached,
        string? keyId = null,
        Action<byte[]>? tamper = null)
    {
        var upload = SubmissionId.New().ToString();
        var key = RandomNumberGenerator.GetBytes(32);
        var encrypted = AttachmentEncryptor.Encrypt(file, upload, ChunkLayout.SmallChunkBytes, key);
        var jwk = await TestTips.GetIntakeKeyAsync(host.Http);
        var entry = UploadClient.EntryOf(upload, encrypted, jwk, key, type, $"file-{number}", "scrubbed", ["location", "serial-number"], keyId);
        CryptographicOperations.ZeroMemory(key);
        await host.App.GetRequiredService<ITipAttachmentStore>().PutAsync(new TipAttachment(tipId, number, state, entry), default);
        var ciphertext = encrypted.Chunks.SelectMany(chunk => chunk).ToArray();
        tamper?.Invoke(ciphertext);
        await new BlobServiceClient(host.ConnectionString).GetBlobContainerClient(StorageNames.AttachmentsContainer)
            .UploadBlobAsync(AzureTipAttachmentStore.BlobNameOf(tipId, number), new BinaryData(ciphertext));
        return upload;
    }
}
