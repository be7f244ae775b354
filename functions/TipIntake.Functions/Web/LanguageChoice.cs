namespace TipIntake.Functions.Web;

/// <summary>Which language a page is served in: the reporter's pages in English, Korean or Simplified Chinese, the
/// staff's triage page in English or Korean.</summary>
public static class LanguageChoice
{
    /// <summary>The reporter's page languages, the first being the default.</summary>
    public static IReadOnlyList<string> Reporter { get; } = ["en", "ko", "zh-Hans"];

    /// <summary>The triage page's languages, the first being the default (staff read Korean or English).</summary>
    public static IReadOnlyList<string> Triage { get; } = ["en", "ko"];

    /// <summary>
    /// The reporter's page language: an explicit, supported <c>?lang=</c> wins; otherwise the best supported entry of
    /// the Accept-Language header by q-value (ties in the header's order; a q-value that is not a number counts as 1,
    /// and a hostile header gets no more than 32 entries' attention); otherwise English. Chinese in any script is
    /// served in Simplified Chinese, the only Chinese offered.
    /// </summary>
    /// <remarks>
    /// Not <c>StringWithQualityHeaderValue.ParseList</c>: it drops an entry whose q-value it cannot read, and a browser
    /// that sends <c>ko;q=abc</c> still asks for Korean.
    /// </remarks>
    public static string Choose(string? requested, string? acceptLanguage) =>
        MapTag(requested)
        ?? (acceptLanguage ?? "").Split(',', 33).Take(32)
            .Select(entry => entry.Split(';', 2))
            .Select(parts => (Language: MapTag(parts[0].Trim()), Quality: QualityOf(parts.ElementAtOrDefault(1))))
            .Where(choice => choice.Language is not null && choice.Quality > 0)
            .OrderByDescending(choice => choice.Quality)
            .Select(choice => choice.Language)
            .FirstOrDefault()
        ?? Reporter[0];

    /// <summary>
    /// The triage page language: Korean when <see cref="Choose"/> picks Korean, otherwise English (Chinese, which staff
    /// are not expected to read, falls back to English).
    /// </summary>
    public static string ChooseTriage(string? requested, string? acceptLanguage) =>
        Choose(requested, acceptLanguage) == "ko" ? "ko" : Triage[0];

    private static double QualityOf(string? parameter) =>
        parameter?.Trim() is { } q && q.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
        && double.TryParse(q.AsSpan(2), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var quality)
            ? Math.Clamp(quality, 0.0, 1.0)
            : 1.0;

    /// <summary>The page language whose primary subtag <paramref name="tag"/> has (<c>zh</c> in any script: <c>zh-Hans</c>).</summary>
    private static string? MapTag(string? tag) => tag is { Length: <= 35 } && tag.Trim() is var t
        ? Reporter.FirstOrDefault(language => t.StartsWith(language[..2], StringComparison.OrdinalIgnoreCase) && (t.Length == 2 || t[2] is '-' or '_'))
        : null;
}
