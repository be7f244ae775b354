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
    /// the Accept-Language header by q-value; otherwise English. Chinese in any script is served in Simplified Chinese,
    /// the only Chinese offered.
    /// </summary>
    public static string Choose(string? requested, string? acceptLanguage)
    {
        if (MapTag(requested) is { } explicitLanguage)
        {
            return explicitLanguage;
        }

        if (string.IsNullOrWhiteSpace(acceptLanguage))
        {
            return Reporter[0];
        }

        string? best = null;
        var bestQuality = 0.0;
        var entries = 0;
        foreach (var range in acceptLanguage.AsSpan().Split(','))
        {
            // A header from a browser has a handful of entries; a hostile one gets no more attention than that.
            if (++entries > 32)
            {
                break;
            }

            var entry = acceptLanguage.AsSpan()[range].Trim();
            var quality = 1.0;
            var semicolon = entry.IndexOf(';');
            if (semicolon >= 0)
            {
                var parameter = entry[(semicolon + 1)..].Trim();
                entry = entry[..semicolon].Trim();
                if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                    && double.TryParse(parameter[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q))
                {
                    quality = Math.Clamp(q, 0.0, 1.0);
                }
            }

            // Ties keep the header's order: only a strictly higher quality displaces an earlier choice.
            if (quality > bestQuality && MapTag(entry.ToString()) is { } language)
            {
                best = language;
                bestQuality = quality;
            }
        }

        return best ?? Reporter[0];
    }

    /// <summary>
    /// The triage page language: Korean when <see cref="Choose"/> picks Korean, otherwise English (Chinese, which staff
    /// are not expected to read, falls back to English).
    /// </summary>
    public static string ChooseTriage(string? requested, string? acceptLanguage) =>
        Choose(requested, acceptLanguage) == "ko" ? "ko" : Triage[0];

    private static string? MapTag(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || tag.Length > 35)
        {
            return null;
        }

        var t = tag.Trim();
        foreach (var language in Reporter)
        {
            if (string.Equals(t, language, StringComparison.OrdinalIgnoreCase))
            {
                return language;
            }
        }

        return Primary(t, "ko") ? "ko"
            : Primary(t, "zh") ? "zh-Hans"
            : Primary(t, "en") ? "en"
            : null;

        static bool Primary(string tag, string primary) =>
            tag.StartsWith(primary, StringComparison.OrdinalIgnoreCase)
            && (tag.Length == primary.Length || tag[primary.Length] is '-' or '_');
    }
}
