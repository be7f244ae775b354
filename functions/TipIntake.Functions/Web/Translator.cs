namespace TipIntake.Functions.Web;

/// <summary>
/// The texts of one page language, from one flat JSON file under <c>Web/i18n/</c>. Strict: asking for a key the file
/// lacks throws, so a mistyped key fails the test that renders every page in every language, never a reporter's page.
/// </summary>
public sealed class Translator
{
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

    /// <summary>The texts whose keys start with one of <paramref name="prefixes"/>, sorted by key, for a data block.</summary>
    public SortedDictionary<string, string> Select(params IReadOnlyList<string> prefixes)
    {
        var selected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, text) in _texts)
        {
            if (prefixes.Count == 0 || prefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                selected[key] = text;
            }
        }

        return selected;
    }

    /// <summary>Reads <paramref name="json"/> (named <paramref name="file"/> in errors): a flat object of strings.</summary>
    public static Translator Parse(string lang, string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"{file} must be a flat JSON object.");
        }

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidOperationException($"{file}: '{property.Name}' must be a string.");
            }

            if (!texts.TryAdd(property.Name, property.Value.GetString()!))
            {
                throw new InvalidOperationException($"{file} names '{property.Name}' twice.");
            }
        }

        return new Translator(lang, texts.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
