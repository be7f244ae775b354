using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>One thread of a lookup's answer (docs/follow-up.md, "The protocol" §2).</summary>
public sealed record LookupThread(string Ref, string Status, bool Answerable, string SealedKey, int Older, IReadOnlyList<ThreadMessage> Messages);

/// <summary>A lookup's answer, the same shape for a right and a wrong code; <see cref="Padding"/> fills it to its bucket.</summary>
public sealed record LookupAnswer(int V, IReadOnlyList<LookupThread> Threads, string Padding);

/// <summary>The statuses a reporter sees: coarse on purpose (no names, no labels, no internal workflow).</summary>
public static class LookupStatuses
{
    public const string Received = "received";
    public const string InReview = "in-review";
    public const string Closed = "closed";

    /// <summary><c>new</c> → received; <c>closed</c> → closed; every other status (dismissed too: it can return to review) → in-review.</summary>
    public static string Of(string triageStatus) => triageStatus switch
    {
        Triage.TriageStatuses.New => Received,
        Triage.TriageStatuses.Closed => Closed,
        _ => InReview,
    };
}

/// <summary>
/// The lookup's wire format: the request <c>{ "v": 1, "lookup": "&lt;43&gt;" }</c> read strictly, and the answer
/// written by one serializer and padded with spaces to the next of 4, 16, 64 or 256 KiB, so that its length says only
/// which bucket it fell in.
/// </summary>
public static class LookupMessages
{
    public const int MaxRequestBytes = 1024;

    public static readonly IReadOnlyList<int> PaddingBuckets = [4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024];

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 2, AllowDuplicateProperties = false };

    /// <summary>The 32 bytes of <c>L</c>, or null for anything but exactly <c>v</c> = 1 and a 43-character canonical <c>lookup</c>.</summary>
    public static byte[]? ReadRequest(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), Strict);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.EnumerateObject().Count() != 2
                || !root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || v.GetRawText() != "1"
                || !root.TryGetProperty("lookup", out var lookup) || lookup.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            return JoseBase64.DecodeCanonical(lookup.GetString(), FollowUpKeys.KeyBytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The answer as UTF-8 JSON, exactly one bucket long (beyond the last bucket: a multiple of it).</summary>
    public static byte[] WriteAnswer(IReadOnlyList<LookupThread> threads)
    {
        var bare = JsonSerializer.SerializeToUtf8Bytes(new LookupAnswer(1, threads, ""), LookupJsonContext.Default.LookupAnswer);
        var last = PaddingBuckets[^1];
        var bucket = PaddingBuckets.FirstOrDefault(size => size >= bare.Length, (bare.Length + last - 1) / last * last);

        // A space is one byte inside a JSON string, so the padded answer is exactly the bucket long.
        var padded = JsonSerializer.SerializeToUtf8Bytes(new LookupAnswer(1, threads, new string(' ', bucket - bare.Length)), LookupJsonContext.Default.LookupAnswer);
        return padded.Length == bucket ? padded : throw new InvalidOperationException("The lookup answer was not padded to its bucket.");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LookupAnswer))]
internal sealed partial class LookupJsonContext : JsonSerializerContext;
