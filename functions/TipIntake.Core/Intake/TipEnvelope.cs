namespace TipIntake.Core.Intake;

/// <summary>
/// The queue message of contract 3: versioned, and nothing about the sender. The receive time is truncated to the
/// hour so that it cannot be matched against network logs. The JWE travels in the message (<see cref="Jwe"/>) when it
/// fits one queue message; a larger one waits in the claim-check store under the name in <see cref="JweRef"/>
/// (<see cref="IClaimCheckStore"/>), and exactly one of the two is set. <see cref="Effort"/> is the effort (leading
/// zero bits, 0–256) the script path's stamp achieved, by which processing orders work; absent on the no-script path.
/// It lives as long as the message (the queue keeps its own precise insertion time anyway); <c>Tips</c> keeps only a
/// coarse band of it.
/// </summary>
public sealed record TipEnvelope(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("tipId")] string TipId,
    [property: JsonPropertyName("receivedHour")] DateTimeOffset ReceivedHour,
    [property: JsonPropertyName("receiptHash")] string ReceiptHash,
    [property: JsonPropertyName("jwe"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Jwe = null,
    [property: JsonPropertyName("jweRef"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? JweRef = null,
    [property: JsonPropertyName("effort"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Effort = null)
{
    public const int CurrentVersion = 1;

    /// <summary>Azure queue messages hold 64 KiB after Base64, so the JSON may take 3/4 of that.</summary>
    public const int MaxSerializedBytes = 64 * 1024 / 4 * 3;

    /// <summary>Room kept for the members around the JWE: the version, ids, hour and hash take under 200 bytes.</summary>
    public const int MaxOverheadBytes = 512;

    /// <summary>The longest JWE an envelope carries itself; a longer one goes to the claim-check store.</summary>
    public const int MaxInlineJweLength = MaxSerializedBytes - MaxOverheadBytes;

    /// <summary>
    /// The longest JWE accepted at all (192 KiB). The form's largest padded plaintext (96 KiB) needs about 132,000
    /// characters; this leaves room for clients whose JSON writer escapes every non-ASCII character (<c>\uAC00</c>: six
    /// bytes for a Korean or Chinese character), whose largest valid tip is about 126,000 bytes, 170,000 characters.
    /// </summary>
    public const int MaxJweLength = 196_608;

    /// <summary>
    /// The longest answer JWE (docs/follow-up.md, "Sizes"): 4,000 characters in any script, padded to at most 16 KiB,
    /// fit with room for the header and key; always inline.
    /// </summary>
    public const int MaxAnswerJweLength = 24_576;

    /// <summary>Reads and checks a queue message: a v1 envelope with a tip id, a hash, exactly one of JWE or reference, and a sane effort.</summary>
    public static bool TryRead(ReadOnlySpan<byte> body, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TipEnvelope? envelope)
    {
        envelope = null;
        try
        {
            envelope = System.Text.Json.JsonSerializer.Deserialize(body, EnvelopeJsonContext.Default.TipEnvelope);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }

        return envelope is { Version: CurrentVersion, ReceiptHash.Length: > 0, Effort: null or (>= 0 and <= 256) }
            && Triage.TriageIds.IsTipId(envelope.TipId)
            && (envelope is { Jwe.Length: > 0, JweRef: null } || (envelope.Jwe is null && Triage.TriageIds.IsTipId(envelope.JweRef)));
    }

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
