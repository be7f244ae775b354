namespace TipIntake.Functions.Web;

/// <summary>
/// The texts of one page language, from one flat JSON file under <c>Web/i18n/</c>. Strict: asking for a key the file
/// lacks throws, so a mistyped key fails the test that renders every page in every language, never a reporter's page.
/// </summary>
public sealed class Translator
{
    private static readonly WebJsonContext StrictJson = new(new JsonSerializerOptions { AllowDuplicateProperties = false });

    private readonly FrozenDictionary<string, string> _texts;

    private Translator(string lang, FrozenDictionary<string, string> texts)
    {
        Lang = lang;
        _texts = texts;
    }

    /// <summary>The page language (a BCP 47 tag, the page's <c>lang</c>).</summary>
    public string Lang { get; }

    /// <summary>Every key of this language (in no particular order).</summary>
    public IReadOnlyCollection<string> Keys => _texts.Keys;

    /// <summary>The text for <paramref name="key"/>, not encoded.</summary>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    public string this[string key] =>
        _texts.TryGetValue(key, out var text) ? text : throw new KeyNotFoundException($"There is no text '{key}' in language '{Lang}'.");

    /// <summary>The text for <paramref name="key"/>, or null: for keys looked up by rule (a field's error message).</summary>
    public string? Find(string key) => _texts.GetValueOrDefault(key);

    /// <summary>The texts whose keys start with one of <paramref name="prefixes"/> (all without one), sorted by key, for a data block.</summary>
    public SortedDictionary<string, string> Select(params IReadOnlyList<string> prefixes) => new(
        _texts.Where(text => prefixes.Count == 0 || prefixes.Any(prefix => text.Key.StartsWith(prefix, StringComparison.Ordinal))).ToDictionary(),
        StringComparer.Ordinal);

    /// <summary>Reads <paramref name="json"/> (named <paramref name="file"/> in errors): a flat object of strings, each key once.</summary>
    public static Translator Parse(string lang, string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        SortedDictionary<string, string>? texts;
        try
        {
            texts = JsonSerializer.Deserialize(json, StrictJson.SortedDictionaryStringString);
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"{file} must be a flat JSON object of strings, each key once ({exception.Message}).", exception);
        }

        return texts is not null && !texts.ContainsValue(null!)
            ? new Translator(lang, texts.ToFrozenDictionary(StringComparer.Ordinal))
            : throw new InvalidOperationException($"{file} must be a flat JSON object of strings.");
    }
}
