using System.Text.Json.Serialization;
using TipIntake.Core.Keys;

namespace TipIntake.Functions.Http;

/// <summary>An RFC 7807 problem. <see cref="Detail"/> is always the service's own words, never an echo of the request.</summary>
public sealed record ProblemBody(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail);

/// <summary>The body of a 202: the receipt, shown once to the reporter and never stored in this form.</summary>
public sealed record ReceiptBody([property: JsonPropertyName("receipt")] string Receipt);

/// <summary>A proof-of-work challenge (docs/flood-control.md): solve it, then send <c>TipIntake-Stamp: challenge:counter</c>.</summary>
public sealed record ChallengeBody(
    [property: JsonPropertyName("challenge")] string Challenge,
    [property: JsonPropertyName("difficulty")] int Difficulty,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(ReceiptBody))]
[JsonSerializable(typeof(ChallengeBody))]
[JsonSerializable(typeof(IntakePublicKey))]
public sealed partial class HttpJsonContext : JsonSerializerContext;
