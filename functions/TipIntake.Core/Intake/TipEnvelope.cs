using System.Text.Json.Serialization;

namespace TipIntake.Core.Intake;

/// <summary>
/// The queue message of contract 3: versioned, and nothing about the sender. The receive time is truncated to the
/// hour so that it cannot be matched against network logs.
/// </summary>
public sealed record TipEnvelope(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("tipId")] string TipId,
    [property: JsonPropertyName("receivedHour")] DateTimeOffset ReceivedHour,
    [property: JsonPropertyName("receiptHash")] string ReceiptHash,
    [property: JsonPropertyName("jwe")] string Jwe)
{
    public const int CurrentVersion = 1;

    /// <summary>Azure queue messages hold 64 KiB after Base64, so the JSON may take 3/4 of that.</summary>
    public const int MaxSerializedBytes = 64 * 1024 / 4 * 3;

    /// <summary>Room kept for the members around the JWE: the version, ids, hour and hash take under 200 bytes.</summary>
    public const int MaxOverheadBytes = 512;

    /// <summary>The longest JWE an envelope can carry and still fit one queue message.</summary>
    public const int MaxJweLength = MaxSerializedBytes - MaxOverheadBytes;

    public static DateTimeOffset TruncateToHour(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }
}

[JsonSourceGenerationOptions(
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowDuplicateProperties = false,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    MaxDepth = 2)]
[JsonSerializable(typeof(TipEnvelope))]
public sealed partial class EnvelopeJsonContext : JsonSerializerContext;
