using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Http;

/// <summary>An upload as created: its id and values.</summary>
public sealed record UploadCreatedBody(string Upload, int Chunks, int ChunkBytes);

/// <summary>What arrived: while open, the values and every staged chunk; once completed, only <c>complete</c> and <c>D</c>.</summary>
public sealed record UploadProgressBody(int? Chunks, int? ChunkBytes, bool Complete, string? Digest, IReadOnlyList<ReceivedChunkBody>? Received)
{
    public static UploadProgressBody Of(UploadProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return progress.Complete
            ? new(null, null, true, JoseBase64.Encode(progress.Digest), null)
            : new(progress.Chunks, progress.ChunkBytes, false, null, [.. progress.Received.Select(c => new ReceivedChunkBody(c.Index, JoseBase64.Encode(c.DigestPrefix)))]);
    }
}

/// <summary>A staged chunk: its index and the first 16 bytes of its SHA-256, base64url (what its block id holds).</summary>
public sealed record ReceivedChunkBody(int Index, string Digest);

public sealed record UploadDigestBody(string Digest);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UploadCreatedBody))]
[JsonSerializable(typeof(UploadProgressBody))]
[JsonSerializable(typeof(UploadDigestBody))]
internal sealed partial class UploadJsonContext : JsonSerializerContext;
