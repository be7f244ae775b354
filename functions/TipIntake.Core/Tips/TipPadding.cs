namespace TipIntake.Core.Tips;

/// <summary>
/// A v1 tip as the padded plaintext both paths encrypt: the members in the order the reporter's script writes them,
/// then <c>padding</c> up to the smallest bucket that fits, so that a ciphertext's length says little about what it
/// holds.
/// </summary>
public static class TipPadding
{
    /// <summary>
    /// Plaintext sizes tips are padded to. Up to 34,000 bytes the JWE travels in the queue message; the 96 KiB bucket
    /// holds any valid tip (20,000 code points of four bytes each and every other field full) and goes through the
    /// claim-check store.
    /// </summary>
    public static IReadOnlyList<int> Buckets { get; } = [1024, 4096, 16384, 34000, 98304];

    /// <summary>The bytes <c>,"padding":""</c> adds before its content.</summary>
    private const int PaddingOverhead = 13;

    /// <summary>
    /// Writes <paramref name="tip"/> (its own padding ignored) padded to a bucket; absent members are left out, and
    /// <c>followUp</c> and <c>attachments</c> are written as they are.
    /// </summary>
    public static byte[] ToPaddedJson(TipDocument tip)
    {
        ArgumentNullException.ThrowIfNull(tip);
        var unpadded = Write(tip, padding: null);
        var target = Buckets.FirstOrDefault(bucket => bucket >= unpadded.Length + PaddingOverhead);
        return target == 0 ? unpadded : Write(tip, new string(' ', target - unpadded.Length - PaddingOverhead));
    }

    private static byte[] Write(TipDocument tip, string? padding)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            WriteIfPresent(json, "category", tip.Category);
            WriteIfPresent(json, "narrative", tip.Narrative);
            WriteIfPresent(json, "urgency", tip.Urgency);
            if (tip.Location is { } location)
            {
                json.WriteStartObject("location");
                WriteIfPresent(json, "country", location.Country);
                WriteIfPresent(json, "region", location.Region);
                WriteIfPresent(json, "place", location.Place);
                json.WriteEndObject();
            }

            if (tip.Observed is { } observed)
            {
                json.WriteStartObject("observed");
                WriteIfPresent(json, "from", observed.From);
                WriteIfPresent(json, "to", observed.To);
                json.WriteEndObject();
            }

            if (tip.PeopleCount is { } count)
            {
                json.WriteNumber("peopleCount", count);
            }

            WriteIfPresent(json, "language", tip.Language);
            WriteIfPresent(json, "contact", tip.Contact);
            if (tip.FollowUp is { } followUp)
            {
                json.WritePropertyName("followUp");
                followUp.WriteTo(json);
            }

            if (tip.Attachments is { } attachments)
            {
                json.WritePropertyName("attachments");
                attachments.WriteTo(json);
            }

            WriteIfPresent(json, "padding", padding);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteIfPresent(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
