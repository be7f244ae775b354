using System.Text.Json.Serialization;
using TipIntake.Core.Keys;

namespace TipIntake.Functions.Http;

/// <summary>The body of a 202: the receipt, shown once to the reporter and never stored in this form.</summary>
public sealed record ReceiptBody([property: JsonPropertyName("receipt")] string Receipt);

/// <summary>
/// A proof-of-work challenge (docs/flood-control.md): solve it to at least <see cref="Difficulty"/> leading zero bits
/// (the floor now) — <see cref="SuggestedEffort"/> to be processed ahead of the current backlog — then send
/// <c>TipIntake-Stamp: challenge:counter</c>.
/// </summary>
public sealed record ChallengeBody(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("difficulty")] int Difficulty,
    [property: JsonPropertyName("suggestedEffort")] int SuggestedEffort,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReceiptBody))]
[JsonSerializable(typeof(ChallengeBody))]
[JsonSerializable(typeof(IntakePublicKey))]
public sealed partial class HttpJsonContext : JsonSerializerContext;
