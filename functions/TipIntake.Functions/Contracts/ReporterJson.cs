using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Contracts;

/// <summary>The body of a 202: the receipt, shown once to the reporter and never stored in this form.</summary>
public sealed record ReceiptBody(string Receipt);

/// <summary>The 202 of an answer: nothing to show (the reporter keeps the one follow-up code they have).</summary>
public sealed record AnswerAcceptedBody;

/// <summary>
/// A proof-of-work challenge (docs/flood-control.md): solve it to at least <see cref="Difficulty"/> leading zero bits
/// (the floor now) — <see cref="SuggestedEffort"/> to be processed ahead of the current backlog — then send
/// <c>TipIntake-Stamp: challenge:counter</c>.
/// </summary>
public sealed record ChallengeBody(string Challenge, int Difficulty, int SuggestedEffort, DateTimeOffset ExpiresAt);

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

/// <summary>The reporter's API: tips, answers, challenges, uploads (the intake key's members are named by its own attributes).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReceiptBody))]
[JsonSerializable(typeof(AnswerAcceptedBody))]
[JsonSerializable(typeof(ChallengeBody))]
[JsonSerializable(typeof(IntakePublicKey))]
[JsonSerializable(typeof(UploadCreatedBody))]
[JsonSerializable(typeof(UploadProgressBody))]
[JsonSerializable(typeof(UploadDigestBody))]
public sealed partial class ReporterJsonContext : JsonSerializerContext;
