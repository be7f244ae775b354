using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace TipIntake.Functions.Web;

/// <summary>The pages' JSON data blocks, serialized with source generation (camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ReporterFacts))]
[JsonSerializable(typeof(TriageFacts))]
[JsonSerializable(typeof(TriagePageSettings))]
[JsonSerializable(typeof(SortedDictionary<string, string>))]
internal sealed partial class WebJsonContext : JsonSerializerContext;

/// <summary>Writes a data block's JSON so that it cannot end its <c>&lt;script&gt;</c> element early.</summary>
internal static class WebJson
{
    // Korean and Chinese stay readable; '<', '>' and '&' are escaped by every encoder but the "unsafe relaxed" one.
    private static readonly WebJsonContext Context = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    });

    public static string ForScript(ReporterFacts facts) => Escape(JsonSerializer.Serialize(facts, Context.ReporterFacts));

    public static string ForScript(TriageFacts facts) => Escape(JsonSerializer.Serialize(facts, Context.TriageFacts));

    public static string ForScript(TriagePageSettings settings) => Escape(JsonSerializer.Serialize(settings, Context.TriagePageSettings));

    public static string ForScript(SortedDictionary<string, string> texts) => Escape(JsonSerializer.Serialize(texts, Context.SortedDictionaryStringString));

    // The encoder already escapes '<'; this keeps "</script" out even if that ever changed. In JSON a '<' can only
    // stand in a string, where \u003c means the same.
    private static string Escape(string json) => json.Replace("<", "\\u003c", StringComparison.Ordinal);
}
