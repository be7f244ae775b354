using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using TipIntake.Core.Attachments;
using TipIntake.Core.Jwe;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>The upload protocol as a client speaks it (docs/attachments.md): each create, chunk and completion with a fresh stamp.</summary>
public sealed class UploadClient(HttpClient http)
{
    public async Task<HttpResponseMessage> CreateAsync(string upload, int chunks, int chunkBytes) =>
        await SendAsync(HttpMethod.Put, upload, "api/uploads", JsonContent.Create(new { v = 1, chunks, chunkBytes }));

    public async Task<HttpResponseMessage> SendChunkAsync(string upload, int index, byte[] chunk, byte[]? digest = null)
    {
        var content = new ByteArrayContent(chunk);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation("Content-Digest", $"sha-256=:{Convert.ToBase64String(digest ?? SHA256.HashData(chunk))}:");
        return await SendAsync(HttpMethod.Put, upload, $"api/uploads/chunks/{index}", content);
    }

    public async Task<HttpResponseMessage> CompleteAsync(string upload, IEnumerable<byte[]> chunkDigests) =>
        await SendAsync(HttpMethod.Post, upload, "api/uploads/complete",
            JsonContent.Create(new { v = 1, chunkDigests = chunkDigests.Select(d => Base64Url.EncodeToString(d)).ToArray() }));

    public async Task<HttpResponseMessage> ProgressAsync(string upload)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/uploads", UriKind.Relative));
        request.Headers.TryAddWithoutValidation(UploadHeader, upload);
        return await http.SendAsync(request);
    }

    /// <summary>
    /// The tip's entry for a file encrypted in 256 KiB chunks under <paramref name="key"/> (<see cref="AttachmentEncryptor"/>),
    /// the key wrapped RSA-OAEP-256 to the intake key <paramref name="jwk"/>, as the form names it.
    /// </summary>
    public static AttachmentEntry EntryOf(
        string upload, EncryptedFile encrypted, JsonElement jwk, byte[] key, string type = "text/plain", string name = "text-1.txt",
        string handling = "unchecked", IReadOnlyList<string>? removed = null, string? keyId = null)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        using var rsa = TestTips.RsaFrom(jwk);
        return new AttachmentEntry(
            upload, encrypted.Digest, encrypted.Chunks.Count, ChunkLayout.SmallChunkBytes, keyId ?? jwk.GetProperty("kid").GetString()!,
            JoseBase64.Encode(rsa.Encrypt(key, RSAEncryptionPadding.OaepSHA256)), encrypted.Size, encrypted.Sha256, type, name, handling, removed ?? []);
    }

    /// <summary>The upload id's header: never the URL, which servers log (docs/attachments.md).</summary>
    public const string UploadHeader = "TipIntake-Upload";

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string upload, string path, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.TryAddWithoutValidation(UploadHeader, upload);
        request.Headers.TryAddWithoutValidation(TestTips.StampHeader, await TestTips.SolveChallengeAsync(http));
        return await http.SendAsync(request);
    }
}
