using TipIntake.Core.Jwe;

namespace TipIntake.Core.Attachments;

/// <summary>A create request's values (docs/attachments.md, "Create").</summary>
public sealed record UploadCreateRequest(int Chunks, int ChunkBytes);

/// <summary>
/// The upload routes' JSON requests, read strictly: exactly the members the protocol names, <c>v</c> = 1, integers
/// where it says so, and each chunk digest 43 characters of canonical base64url (32 bytes).
/// </summary>
public static class UploadMessages
{
    public const int MaxCreateBytes = 1024;

    /// <summary>256 digests of 43 characters with their quotes and commas, and room for spaces.</summary>
    public const int MaxCompleteBytes = 16 * 1024;

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 3, AllowDuplicateProperties = false };

    /// <summary><c>{ "v": 1, "chunks": n, "chunkBytes": n }</c>, or null. The values themselves are the service's to judge.</summary>
    public static UploadCreateRequest? ReadCreate(ReadOnlySpan<byte> json) => Read(json, root =>
        root.EnumerateObject().Count() == 3 && IsVersion1(root)
        && root.TryGetProperty("chunks", out var chunks) && chunks.ValueKind == JsonValueKind.Number && chunks.TryGetInt32(out var count)
        && root.TryGetProperty("chunkBytes", out var bytes) && bytes.ValueKind == JsonValueKind.Number && bytes.TryGetInt32(out var size)
            ? new UploadCreateRequest(count, size)
            : null);

    /// <summary><c>{ "v": 1, "chunkDigests": ["&lt;43&gt;", …] }</c> with 1 to 256 digests, or null.</summary>
    public static IReadOnlyList<byte[]>? ReadComplete(ReadOnlySpan<byte> json) => Read(json, root =>
    {
        if (root.EnumerateObject().Count() != 2 || !IsVersion1(root)
            || !root.TryGetProperty("chunkDigests", out var list) || list.ValueKind != JsonValueKind.Array
            || list.GetArrayLength() is < 1 or > 256)
        {
            return null;
        }

        var digests = new List<byte[]>(list.GetArrayLength());
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || JoseBase64.DecodeCanonical(item.GetString(), UploadDigest.DigestBytes) is not { } digest)
            {
                return null;
            }

            digests.Add(digest);
        }

        return digests;
    });

    private static bool IsVersion1(JsonElement root) =>
        root.TryGetProperty("v", out var v) && v.ValueKind == JsonValueKind.Number && v.GetRawText() == "1";

    private static T? Read<T>(ReadOnlySpan<byte> json, Func<JsonElement, T?> read)
        where T : class
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), Strict);
            return document.RootElement.ValueKind == JsonValueKind.Object ? read(document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
