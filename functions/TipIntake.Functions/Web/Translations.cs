namespace TipIntake.Functions.Web;

/// <summary>
/// Every page language's texts, read once from the JSON files embedded in this assembly: the reporter's
/// (<c>Web/i18n/{lang}.json</c>) and the triage page's (<c>Web/i18n/triage.{lang}.json</c>). Each language of a set must
/// have exactly the keys of the first, checked here, when the app starts.
/// </summary>
public sealed class Translations
{
    private readonly FrozenDictionary<string, Translator> _reporter;
    private readonly FrozenDictionary<string, Translator> _triage;

    /// <summary>Reads the translations embedded in this assembly.</summary>
    public Translations()
        : this(ReadEmbedded)
    {
    }

    /// <summary>Reads translations with <paramref name="loadResource"/> (by resource name, e.g. <c>Web/i18n/ko.json</c>).</summary>
    public Translations(Func<string, string> loadResource)
    {
        ArgumentNullException.ThrowIfNull(loadResource);
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
        var translators = languages.ToDictionary(lang => lang, lang => Translator.Parse(lang, loadResource(file(lang)), file(lang)), StringComparer.Ordinal);
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

        return translators.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ReadEmbedded(string name)
    {
        using var stream = typeof(Translations).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing; the csproj embeds Web/** by that name.");
        using var reader = new StreamReader(stream); // UTF-8
        return reader.ReadToEnd();
    }
}
