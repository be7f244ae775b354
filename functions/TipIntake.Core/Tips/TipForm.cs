namespace TipIntake.Core.Tips;

/// <summary>
/// The reporter form's fields as tip schema v1 JSON, for the no-script path: the same document the browser builds,
/// padded to the same size buckets, and the way back from schema paths to form fields for error messages.
/// </summary>
public static class TipForm
{
    /// <summary>
    /// Plaintext sizes the form pads to, so that a ciphertext's length says little about what it holds. Up to 34,000
    /// bytes the JWE travels in the queue message; the 96 KiB bucket holds any valid tip (20,000 code points of four
    /// bytes each and every other field full) and goes through the claim-check store.
    /// </summary>
    public static IReadOnlyList<int> PaddingBuckets { get; } = [1024, 4096, 16384, 34000, 98304];

    public static IReadOnlyList<string> FieldNames { get; } =
        ["category", "narrative", "country", "region", "place", "observedFrom", "observedTo", "peopleCount", "urgency", "language", "contact"];

    /// <summary>
    /// Errors the JSON cannot carry: a people count that is not a whole number (the schema's validator reports the
    /// rest, all at once, from the JSON).
    /// </summary>
    public static IReadOnlyDictionary<string, string> FieldErrors(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return fields.TryGetValue("peopleCount", out var count) && !string.IsNullOrWhiteSpace(count) && !TryParseCount(count, out _)
            ? new Dictionary<string, string> { ["peopleCount"] = "not-a-number" }
            : new Dictionary<string, string>();
    }

    /// <summary>Writes the fields as a v1 tip. Empty fields are left out, so the validator reports what is missing.</summary>
    public static byte[] ToPaddedJson(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var unpadded = Write(fields, padding: null);
        var target = PaddingBuckets.FirstOrDefault(bucket => bucket >= unpadded.Length + PaddingOverhead);
        if (target == 0)
        {
            return unpadded;
        }

        var padded = Write(fields, new string(' ', target - unpadded.Length - PaddingOverhead));
        return padded;
    }

    /// <summary>The form field a schema path refers to (<c>location.country</c> → <c>country</c>).</summary>
    public static string FieldOf(string schemaPath) => schemaPath switch
    {
        "location.country" or "location" => "country",
        "location.region" => "region",
        "location.place" => "place",
        "observed.from" => "observedFrom",
        "observed.to" or "observed" => "observedTo",
        _ => schemaPath,
    };

    /// <summary>The bytes <c>,"padding":""</c> adds before its content.</summary>
    private const int PaddingOverhead = 13;

    private static byte[] Write(IReadOnlyDictionary<string, string> fields, string? padding)
    {
        // Browsers send a textarea's line breaks as CRLF; in-browser encryption sees LF. Normalise, so the two paths
        // produce the same tip.
        string? Field(string name) => fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Replace("\r\n", "\n", StringComparison.Ordinal)
            : null;

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            WriteIfPresent(json, "category", Field("category"));
            WriteIfPresent(json, "narrative", Field("narrative"));
            WriteIfPresent(json, "urgency", Field("urgency"));
            var country = Field("country");
            var region = Field("region");
            var place = Field("place");
            if (country is not null || region is not null || place is not null)
            {
                json.WriteStartObject("location");
                WriteIfPresent(json, "country", country);
                WriteIfPresent(json, "region", region);
                WriteIfPresent(json, "place", place);
                json.WriteEndObject();
            }

            var from = Field("observedFrom");
            var to = Field("observedTo");
            if (from is not null || to is not null)
            {
                json.WriteStartObject("observed");
                WriteIfPresent(json, "from", from);
                WriteIfPresent(json, "to", to);
                json.WriteEndObject();
            }

            if (Field("peopleCount") is { } count && TryParseCount(count, out var number))
            {
                json.WriteNumber("peopleCount", number);
            }

            WriteIfPresent(json, "language", Field("language"));
            WriteIfPresent(json, "contact", Field("contact"));
            if (padding is not null)
            {
                json.WriteString("padding", padding);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static bool TryParseCount(string text, out int count) =>
        int.TryParse(text.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out count);

    private static void WriteIfPresent(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
