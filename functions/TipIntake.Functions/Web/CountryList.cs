namespace TipIntake.Functions.Web;

/// <summary>One country the form offers: its ISO 3166-1 alpha-2 code and its name in the page language.</summary>
public sealed record Country(string Code, string Name);

/// <summary>
/// The form's country list in one page language: the likely countries first, in their order, then every other named
/// country sorted by name in that language. Names are the translations' <c>country.XX</c> texts.
/// </summary>
public sealed record CountryList(IReadOnlyList<Country> Likely, IReadOnlyList<Country> Rest)
{
    /// <summary>Shown first, in this order.</summary>
    public static IReadOnlyList<string> LikelyCodes { get; } = ["CN", "KP", "RU", "MN", "VN", "LA", "TH", "KR"];

    private const string KeyPrefix = "country.";

    /// <exception cref="InvalidOperationException">A likely country has no name in this language.</exception>
    public static CountryList For(Translator texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var names = texts.Keys
            .Where(key => key.StartsWith(KeyPrefix, StringComparison.Ordinal) && key.Length == KeyPrefix.Length + 2)
            .ToDictionary(key => key[KeyPrefix.Length..], key => texts[key], StringComparer.Ordinal);
        var missing = LikelyCodes.Where(code => !names.ContainsKey(code)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"Web/i18n/{texts.Lang}.json has no name for {string.Join(", ", missing)}.");
        }

        var comparer = StringComparer.Create(Culture(texts.Lang), CompareOptions.IgnoreCase);
        return new CountryList(
            [.. LikelyCodes.Select(code => new Country(code, names[code]))],
            [.. names.Where(n => !LikelyCodes.Contains(n.Key)).OrderBy(n => n.Value, comparer).ThenBy(n => n.Key, StringComparer.Ordinal)
                .Select(n => new Country(n.Key, n.Value))]);
    }

    private static CultureInfo Culture(string lang)
    {
        try
        {
            return CultureInfo.GetCultureInfo(lang);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.InvariantCulture;
        }
    }
}
