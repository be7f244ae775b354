namespace TipIntake.Functions.Web;

/// <summary>
/// Every page language's texts, read once from the JSON files embedded in this assembly: the reporter's
/// (<c>Web/i18n/{lang}.json</c>) and the triage page's (<c>Web/i18n/triage.{lang}.json</c>), each a flat object of
/// strings, each key once. Each language of a set must have exactly the keys of the first, checked here, when the app starts.
/// </summary>
public sealed class Translations
{
    private static readonly WebJsonContext StrictJson = new(new JsonSerializerOptions { AllowDuplicateProperties = false });

    private readonly FrozenDictionary<string, Translator> _reporter;
    private readonly FrozenDictionary<string, Translator> _triage;

    /// <summary>
    /// Reads the translations embedded in this assembly, or with <paramref name="loadResource"/> (by resource name, e.g.
    /// <c>Web/i18n/ko.json</c>).
    /// </summary>
    public Translations(Func<string, string>? loadResource = null)
    {
        loadResource ??= ReadEmbedded;
        _reporter = Load(LanguageChoice.Reporter, lang => $"Web/i18n/{lang}.json", loadResource);
        _triage = Load(LanguageChoice.Triage, lang => $"Web/i18n/triage.{lang}.json", loadResource);
    }

    /// <summary>The reporter's texts in <paramref name="lang"/>, one of <see cref="LanguageChoice.Reporter"/>.</summary>
    public Translator Reporter(string lang) => In(_reporter, lang);

    /// <summary>The triage page's texts in <paramref name="lang"/>, one of <see cref="LanguageChoice.Triage"/>.</summary>
    public Translator Triage(string lang) => In(_triage, lang);

    private static Translator In(FrozenDictionary<string, Translator> translators, string lang) =>
        lang is not null && translators.TryGetValue(lang, out var translator)
            ? translator
            : throw new ArgumentException($"The page language must be one of {string.Join(", ", translators.Keys)}.", nameof(lang));

    private static FrozenDictionary<string, Translator> Load(
        IReadOnlyList<string> languages, Func<string, string> file, Func<string, string> loadResource)
    {
        var translators = languages.ToFrozenDictionary(lang => lang, lang => Parse(lang, file(lang), loadResource(file(lang))), StringComparer.Ordinal);
        var first = translators[languages[0]];
        foreach (var lang in languages.Skip(1))
        {
            var keys = translators[lang].Keys;
            var differing = first.Keys.Except(keys, StringComparer.Ordinal).Concat(keys.Except(first.Keys, StringComparer.Ordinal)).ToList();
            if (differing.Count > 0)
            {
                throw new InvalidOperationException($"{file(lang)} and {file(languages[0])} differ in: {string.Join(", ", differing)}.");
            }
        }

        return translators;
    }

    private static Translator Parse(string lang, string file, string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, StrictJson.SortedDictionaryStringString) is { } texts && !texts.ContainsValue(null!)
                ? new Translator(lang, texts.ToFrozenDictionary(StringComparer.Ordinal))
                : throw new InvalidOperationException($"{file} must be a flat JSON object of strings.");
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"{file} must be a flat JSON object of strings, each key once ({exception.Message}).", exception);
        }
    }

    private static string ReadEmbedded(string name)
    {
        using var stream = typeof(Translations).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing; the csproj embeds Web/** by that name.");
        using var reader = new StreamReader(stream); // UTF-8
        return reader.ReadToEnd();
    }
}

/// <summary>
/// The texts of one page language (<see cref="Translations"/>). Strict: asking for a key the file lacks throws, so a
/// mistyped key fails the test that renders every page in every language, never a reporter's page.
/// </summary>
public sealed class Translator(string lang, FrozenDictionary<string, string> texts)
{
    /// <summary>The page language (a BCP 47 tag, the page's <c>lang</c>).</summary>
    public string Lang => lang;

    /// <summary>Every key of this language (in no particular order).</summary>
    public IReadOnlyCollection<string> Keys => texts.Keys;

    /// <summary>The text for <paramref name="key"/>, not encoded.</summary>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    public string this[string key] =>
        texts.TryGetValue(key, out var text) ? text : throw new KeyNotFoundException($"There is no text '{key}' in language '{Lang}'.");

    /// <summary>The text for <paramref name="key"/>, or null: for keys looked up by rule (a field's error message).</summary>
    public string? Find(string key) => texts.GetValueOrDefault(key);

    /// <summary>The texts whose keys start with one of <paramref name="prefixes"/> (all without one), sorted by key, for a data block.</summary>
    public SortedDictionary<string, string> Select(params IReadOnlyList<string> prefixes) => new(
        texts.Where(text => prefixes.Count == 0 || prefixes.Any(prefix => text.Key.StartsWith(prefix, StringComparison.Ordinal))).ToDictionary(),
        StringComparer.Ordinal);
}
