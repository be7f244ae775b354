using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace TipIntake.Functions.Web;

/// <summary>
/// Renders the reporter's pages (Web/form.html, Web/receipt.html) in English, Korean or Simplified Chinese, and the
/// staff's triage page (Web/triage.html, with Web/i18n/triage.{en,ko}.json) in English or Korean, from the
/// templates and translations embedded in this assembly. Templates are parsed and checked once, when the renderer is
/// built: an unknown placeholder or a text missing from any language throws then, so a typo cannot reach a reporter.
/// Everything inserted is HTML-encoded, except the pre-rendered blocks (<c>{{messages}}</c>, <c>{{settings}}</c> and
/// <c>{{facts}}</c>, JSON with <c>&lt;</c> escaped; <c>{{countryOptions}}</c>, encoded here). Nothing is logged.
/// Thread-safe; register one instance.
/// </summary>
public sealed partial class PageRenderer
{
    public const string FormResourceName = "Web/form.html";
    public const string ReceiptResourceName = "Web/receipt.html";
    public const string TriageResourceName = "Web/triage.html";
    public const string TriageSignedInResourceName = "Web/triage-signed-in.html";

    /// <summary>The triage page's languages, the first being the default (staff read Korean or English).</summary>
    public static IReadOnlyList<string> TriageLanguages { get; } = ["en", "ko"];

    /// <summary>The page languages, the first being the default.</summary>
    public static IReadOnlyList<string> Languages { get; } = ["en", "ko", "zh-Hans"];

    /// <summary>The reporter's fields as the form posts them (besides the hidden <c>lang</c>).</summary>
    public static IReadOnlyList<string> FormFields { get; } =
        ["category", "narrative", "country", "region", "place", "observedFrom", "observedTo", "peopleCount", "urgency", "language", "contact"];

    /// <summary>Shown first in the country list, in this order; the rest follow sorted by name in the page language.</summary>
    public static IReadOnlyList<string> LikelyCountries { get; } = ["CN", "KP", "RU", "MN", "VN", "LA", "TH", "KR"];

    /// <summary>Translation keys starting with one of these are handed to app.js in the <c>#messages</c> data block.</summary>
    public static IReadOnlyList<string> MessageKeyPrefixes { get; } = ["error.", "status."];

    /// <summary>The form-level message used when fields have errors and the caller names none.</summary>
    public const string FixErrorsKey = "status.fixErrors";

    private const string CountryKeyPrefix = "country.";

    /// <summary>Encodes markup characters, quotes and controls, but leaves Korean and Chinese text readable.</summary>
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static readonly JavaScriptEncoder JsonEncoder = JavaScriptEncoder.Create(UnicodeRanges.All);

    private static readonly FrozenSet<string> KnownFields = FormFields.ToFrozenSet(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, Language> _languages;
    private readonly FrozenDictionary<string, TriageLanguage> _triageLanguages;

    /// <summary>Loads the templates and translations embedded in this assembly.</summary>
    public PageRenderer()
        : this(name => ReadEmbedded(typeof(PageRenderer).Assembly, name))
    {
    }

    /// <summary>Builds a renderer from resources read by <paramref name="loadResource"/> (by resource name, e.g.
    /// <c>Web/i18n/ko.json</c>); for tests and tools.</summary>
    public PageRenderer(Func<string, string> loadResource)
    {
        ArgumentNullException.ThrowIfNull(loadResource);

        var formParts = Parse(loadResource(FormResourceName), FormResourceName, TemplateKind.Form);
        var receiptParts = Parse(loadResource(ReceiptResourceName), ReceiptResourceName, TemplateKind.Receipt);
        var triageParts = Parse(loadResource(TriageResourceName), TriageResourceName, TemplateKind.Triage);
        var signedInParts = Parse(loadResource(TriageSignedInResourceName), TriageSignedInResourceName, TemplateKind.Triage);

        var languages = new Dictionary<string, Language>(StringComparer.Ordinal);
        foreach (var lang in Languages)
        {
            var strings = ReadStrings(loadResource($"Web/i18n/{lang}.json"), lang);
            var form = Compile(formParts, lang, strings);
            var receipt = Compile(receiptParts, lang, strings);
            languages[lang] = new Language(
                lang, strings, form, receipt, MessagesJson(strings), CountryOptions(lang, strings),
                form.Sum(p => p.Text.Length), receipt.Sum(p => p.Text.Length));
        }

        _languages = languages.ToFrozenDictionary(StringComparer.Ordinal);

        var triageLanguages = new Dictionary<string, TriageLanguage>(StringComparer.Ordinal);
        foreach (var lang in TriageLanguages)
        {
            var strings = ReadStrings(loadResource($"Web/i18n/triage.{lang}.json"), $"triage.{lang}");
            triageLanguages[lang] = new TriageLanguage(
                lang, strings, Compile(triageParts, lang, strings, $"triage.{lang}"), Compile(signedInParts, lang, strings, $"triage.{lang}"),
                MessagesJson(strings, _ => true));
        }

        foreach (var lang in TriageLanguages.Skip(1))
        {
            var missing = triageLanguages[TriageLanguages[0]].Strings.Keys.Except(triageLanguages[lang].Strings.Keys, StringComparer.Ordinal)
                .Concat(triageLanguages[lang].Strings.Keys.Except(triageLanguages[TriageLanguages[0]].Strings.Keys, StringComparer.Ordinal))
                .ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"Web/i18n/triage.{lang}.json and triage.{TriageLanguages[0]}.json differ in: {string.Join(", ", missing)}.");
            }
        }

        _triageLanguages = triageLanguages.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>
    /// The triage page language: Korean when <see cref="ChooseLanguage"/> picks Korean, otherwise English (Chinese,
    /// which staff are not expected to read, falls back to English).
    /// </summary>
    public static string ChooseTriageLanguage(string? requested, string? acceptLanguage) =>
        ChooseLanguage(requested, acceptLanguage) == "ko" ? "ko" : TriageLanguages[0];

    /// <summary>
    /// The staff's triage page in <paramref name="lang"/> (one of <see cref="TriageLanguages"/>), with
    /// <paramref name="settings"/> in the <c>#triage-settings</c> JSON block (no secrets: ids, scope, authority),
    /// <see cref="TriageFacts.Current"/> in the <c>#triage-facts</c> block and every triage text in the
    /// <c>#triage-messages</c> block, for triage.js. MSAL.js is linked only when the page signs in with Entra ID and the
    /// bundle is embedded.
    /// </summary>
    public string RenderTriage(string lang, TriagePageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var language = GetTriage(lang);
        var settingsJson = SettingsJson(settings);
        var html = new StringBuilder(language.Page.Sum(p => p.Text.Length) + language.MessagesJson.Length + settingsJson.Length + FactsJson.Length + 128);
        foreach (var part in language.Page)
        {
            html.Append(part.Kind switch
            {
                PartKind.Literal => part.Text,
                PartKind.Settings => settingsJson,
                PartKind.Facts => FactsJson,
                PartKind.Messages => language.MessagesJson,
                PartKind.Scripts => MsalScript(settings),
                _ => throw new InvalidOperationException($"The triage page cannot hold a {part.Kind} placeholder."),
            });
        }

        return html.ToString();
    }

    /// <summary>The page Entra ID returns to after a sign-in (MSAL.js v5's redirect bridge, <c>/triage/signed-in</c>).</summary>
    public string RenderTriageSignedIn(string lang, bool msalAvailable)
    {
        var language = GetTriage(lang);
        var html = new StringBuilder(1024);
        foreach (var part in language.SignedIn)
        {
            html.Append(part.Kind switch
            {
                PartKind.Literal => part.Text,
                PartKind.Scripts => msalAvailable ? "<script src=\"/assets/msal-redirect-bridge.min.js\" defer></script>\n" : "",
                _ => throw new InvalidOperationException($"The sign-in page cannot hold a {part.Kind} placeholder."),
            });
        }

        return html.ToString();
    }

    /// <summary>The text for <paramref name="key"/> on the triage page in <paramref name="lang"/>, not encoded.</summary>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    public string TranslateTriage(string lang, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return GetTriage(lang).Strings.TryGetValue(key, out var text)
            ? text
            : throw new KeyNotFoundException($"There is no triage text '{key}' in language '{lang}'.");
    }

    /// <summary>Every triage translation key of <paramref name="lang"/> (in no particular order).</summary>
    public IReadOnlyCollection<string> TriageKeys(string lang) => GetTriage(lang).Strings.Keys;

    private TriageLanguage GetTriage(string lang) =>
        lang is not null && _triageLanguages.TryGetValue(lang, out var language)
            ? language
            : throw new ArgumentException("The triage page language must be one of PageRenderer.TriageLanguages.", nameof(lang));

    /// <summary>The <c>#triage-facts</c> block: the same for every page, so serialized once.</summary>
    private static readonly string FactsJson = JsonSerializer.Serialize(TriageFacts.Current, TriageFactsJsonContext.Default.TriageFacts)
        .Replace("<", "\\u003c", StringComparison.Ordinal);

    private static string MsalScript(TriagePageSettings settings) =>
        settings.AuthMode == TriagePageSettings.EntraMode && settings.MsalAvailable
            ? "<script src=\"/assets/msal-browser.min.js\" defer></script>\n"
            : "";

    private static string SettingsJson(TriagePageSettings settings)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonEncoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("authMode", settings.AuthMode);
            writer.WriteString("tenantId", settings.TenantId ?? "");
            writer.WriteString("clientId", settings.ClientId ?? "");
            writer.WriteString("scope", settings.Scope ?? "");
            writer.WriteString("authority", settings.Authority ?? "");
            writer.WriteBoolean("msalAvailable", settings.MsalAvailable);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("<", "\\u003c", StringComparison.Ordinal);
    }

    /// <summary>
    /// The page language: an explicit, supported <c>?lang=</c> wins; otherwise the best supported entry of the
    /// Accept-Language header by q-value; otherwise English. Chinese in any script is served in Simplified Chinese,
    /// the only Chinese offered.
    /// </summary>
    public static string ChooseLanguage(string? requested, string? acceptLanguage)
    {
        if (MapTag(requested) is { } explicitLanguage)
        {
            return explicitLanguage;
        }

        if (string.IsNullOrWhiteSpace(acceptLanguage))
        {
            return Languages[0];
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

        return best ?? Languages[0];
    }

    /// <summary>
    /// The form page. <paramref name="values"/> holds what the reporter typed (form field name → text), for showing it
    /// again after a no-script submission was refused; <paramref name="errorCodes"/> maps a form field name to the
    /// server's error code (e.g. <c>too-long</c>), translated via <c>error.{field}.{code}</c>, then <c>error.{code}</c>,
    /// then <c>error.invalid</c>. <paramref name="formErrorKey"/> is a translation key (e.g. <c>status.unavailable</c>);
    /// when null and there are field errors, <c>status.fixErrors</c> is shown. Without a posted value, urgency is
    /// "unknown" and the narrative's language is the page language. <paramref name="submission"/> goes into the hidden
    /// field that makes a resent or double-posted form keep one tip: the posted one when the form comes back, a new
    /// one (null) for a fresh page. <paramref name="ticket"/> goes into the hidden <c>ticket</c> field: the page's
    /// single-use ticket for the no-script path (docs/flood-control.md), fresh on every page served.
    /// </summary>
    public string RenderForm(
        string lang,
        IReadOnlyDictionary<string, string> values,
        IReadOnlyDictionary<string, string> errorCodes,
        string? formErrorKey,
        Core.Intake.SubmissionId? submission = null,
        string? ticket = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(errorCodes);
        var language = Get(lang);

        var html = new StringBuilder(language.FormLength + 16_384);
        foreach (var part in language.Form)
        {
            switch (part.Kind)
            {
                case PartKind.Literal:
                    html.Append(part.Text);
                    break;
                case PartKind.Value:
                    if (values.TryGetValue(part.Field, out var value))
                    {
                        html.Append(Encoder.Encode(value));
                    }

                    break;
                case PartKind.Error:
                    if (errorCodes.TryGetValue(part.Field, out var code))
                    {
                        html.Append(Encoder.Encode(ErrorMessage(language, part.Field, code)));
                    }

                    break;
                case PartKind.Invalid:
                    if (errorCodes.ContainsKey(part.Field))
                    {
                        html.Append(" aria-invalid=\"true\"");
                    }

                    break;
                case PartKind.Selected:
                    if (string.Equals(EffectiveValue(values, part.Field, lang), part.Value, StringComparison.Ordinal))
                    {
                        html.Append(" selected");
                    }

                    break;
                case PartKind.Checked:
                    if (string.Equals(EffectiveValue(values, part.Field, lang), part.Value, StringComparison.Ordinal))
                    {
                        html.Append(" checked");
                    }

                    break;
                case PartKind.FormError:
                    var key = formErrorKey ?? (errorCodes.Count > 0 ? FixErrorsKey : null);
                    if (key is not null)
                    {
                        html.Append(Encoder.Encode(Text(language, key)));
                    }

                    break;
                case PartKind.Messages:
                    html.Append(language.MessagesJson);
                    break;
                case PartKind.Submission:
                    html.Append((submission ?? Core.Intake.SubmissionId.New()).ToString());
                    break;
                case PartKind.Ticket:
                    html.Append(Encoder.Encode(ticket ?? ""));
                    break;
                case PartKind.CountryOptions:
                    AppendCountryOptions(html, language, values.TryGetValue("country", out var country) ? country : null);
                    break;
                default:
                    throw new InvalidOperationException($"The form cannot hold a {part.Kind} placeholder.");
            }
        }

        return html.ToString();
    }

    /// <summary>The receipt page of the no-script path, showing <paramref name="receipt"/> once.</summary>
    public string RenderReceipt(string lang, string receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        var language = Get(lang);
        var html = new StringBuilder(language.ReceiptLength + receipt.Length + 64);
        foreach (var part in language.Receipt)
        {
            html.Append(part.Kind switch
            {
                PartKind.Literal => part.Text,
                PartKind.Receipt => Encoder.Encode(receipt),
                _ => throw new InvalidOperationException($"The receipt page cannot hold a {part.Kind} placeholder."),
            });
        }

        return html.ToString();
    }

    /// <summary>The text for <paramref name="key"/> in <paramref name="lang"/>, not encoded.</summary>
    /// <exception cref="KeyNotFoundException">The key does not exist.</exception>
    public string Translate(string lang, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Text(Get(lang), key);
    }

    /// <summary>Every translation key of <paramref name="lang"/> (in no particular order).</summary>
    public IReadOnlyCollection<string> Keys(string lang) => Get(lang).Strings.Keys;

    private Language Get(string lang) =>
        lang is not null && _languages.TryGetValue(lang, out var language)
            ? language
            : throw new ArgumentException("The page language must be one of PageRenderer.Languages.", nameof(lang));

    private static string Text(Language language, string key) =>
        language.Strings.TryGetValue(key, out var text)
            ? text
            : throw new KeyNotFoundException($"There is no text '{key}' in language '{language.Tag}'.");

    private static string ErrorMessage(Language language, string field, string code)
    {
        if (language.Strings.TryGetValue($"error.{field}.{code}", out var specific))
        {
            return specific;
        }

        return language.Strings.TryGetValue($"error.{code}", out var generic) ? generic : Text(language, "error.invalid");
    }

    private static string? EffectiveValue(IReadOnlyDictionary<string, string> values, string field, string lang)
    {
        if (values.TryGetValue(field, out var value))
        {
            return value;
        }

        return field switch
        {
            "urgency" => "unknown",
            "language" => lang,
            _ => null,
        };
    }

    private static void AppendCountryOptions(StringBuilder html, Language language, string? selected)
    {
        // Only a code on the list is ever looked for, so a posted value never reaches the page through this path.
        var code = selected?.Trim().ToUpperInvariant();
        if (code is { Length: 2 } && language.CountryOptions.Contains($"<option value=\"{code}\">", StringComparison.Ordinal))
        {
            html.Append(language.CountryOptions.Replace($"<option value=\"{code}\">", $"<option value=\"{code}\" selected>", StringComparison.Ordinal));
        }
        else
        {
            html.Append(language.CountryOptions);
        }
    }

    private static string ReadEmbedded(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing; the csproj embeds Web/** by that name.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static FrozenDictionary<string, string> ReadStrings(string json, string lang)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"Web/i18n/{lang}.json must be a flat JSON object.");
        }

        var strings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidOperationException($"Web/i18n/{lang}.json: '{property.Name}' must be a string.");
            }

            if (!strings.TryAdd(property.Name, property.Value.GetString()!))
            {
                throw new InvalidOperationException($"Web/i18n/{lang}.json names '{property.Name}' twice.");
            }
        }

        return strings.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string MessagesJson(FrozenDictionary<string, string> strings) =>
        MessagesJson(strings, key => MessageKeyPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal)));

    private static string MessagesJson(FrozenDictionary<string, string> strings, Func<string, bool> include)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonEncoder }))
        {
            writer.WriteStartObject();
            foreach (var (key, text) in strings.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (include(key))
                {
                    writer.WriteString(key, text);
                }
            }

            writer.WriteEndObject();
        }

        // The encoder already escapes '<', '>' and '&'; this line keeps "</script" out even if that ever changed.
        return Encoding.UTF8.GetString(buffer.ToArray()).Replace("<", "\\u003c", StringComparison.Ordinal);
    }

    private static string CountryOptions(string lang, FrozenDictionary<string, string> strings)
    {
        var names = strings
            .Where(s => s.Key.StartsWith(CountryKeyPrefix, StringComparison.Ordinal) && s.Key.Length == CountryKeyPrefix.Length + 2)
            .ToDictionary(s => s.Key[CountryKeyPrefix.Length..], s => s.Value, StringComparer.Ordinal);
        foreach (var code in LikelyCountries)
        {
            if (!names.ContainsKey(code))
            {
                throw new InvalidOperationException($"Web/i18n/{lang}.json has no name for {code}.");
            }
        }

        var comparer = StringComparer.Create(Culture(lang), CompareOptions.IgnoreCase);
        var rest = names.Where(n => !LikelyCountries.Contains(n.Key)).OrderBy(n => n.Value, comparer).ThenBy(n => n.Key, StringComparer.Ordinal);

        var html = new StringBuilder(names.Count * 48);
        html.Append("<optgroup label=\"").Append(Encoder.Encode(strings["country.groupLikely"])).Append("\">");
        foreach (var code in LikelyCountries)
        {
            AppendOption(html, code, names[code]);
        }

        html.Append("</optgroup><optgroup label=\"").Append(Encoder.Encode(strings["country.groupAll"])).Append("\">");
        foreach (var (code, name) in rest)
        {
            AppendOption(html, code, name);
        }

        return html.Append("</optgroup>").ToString();

        static void AppendOption(StringBuilder html, string code, string name) =>
            html.Append("<option value=\"").Append(Encoder.Encode(code)).Append("\">").Append(Encoder.Encode(name)).Append("</option>");
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

    private static string? MapTag(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || tag.Length > 35)
        {
            return null;
        }

        var t = tag.Trim();
        foreach (var language in Languages)
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

    private static List<Part> Parse(string template, string name, TemplateKind kind)
    {
        var parts = new List<Part>();
        var position = 0;
        foreach (Match match in Placeholder().Matches(template))
        {
            parts.Add(Literal(template[position..match.Index], name));
            parts.Add(ParsePlaceholder(match.Groups[1].Value, name, kind));
            position = match.Index + match.Length;
        }

        parts.Add(Literal(template[position..], name));
        return parts;

        static Part Literal(string text, string name) =>
            text.Contains("{{", StringComparison.Ordinal) || text.Contains("}}", StringComparison.Ordinal)
                ? throw new FormatException($"{name} has a malformed placeholder near \"{text[..Math.Min(text.Length, 40)]}\".")
                : new Part(PartKind.Literal, text);
    }

    private static Part ParsePlaceholder(string placeholder, string name, TemplateKind template)
    {
        var segments = placeholder.Split('.', 3);
        var kind = segments[0];
        var isForm = template == TemplateKind.Form;
        var isTriage = template == TemplateKind.Triage;
        Part? part = (kind, segments.Length) switch
        {
            ("lang", 1) => new Part(PartKind.Lang),
            ("dir", 1) => new Part(PartKind.Dir),
            ("t", >= 2) => new Part(PartKind.Text, Field: placeholder[2..]),
            ("value", 2) when isForm => new Part(PartKind.Value, Field: Field(segments[1])),
            ("error", 2) when isForm => new Part(PartKind.Error, Field: Field(segments[1])),
            ("invalid", 2) when isForm => new Part(PartKind.Invalid, Field: Field(segments[1])),
            ("selected", 3) when isForm => new Part(PartKind.Selected, Field: Field(segments[1]), Value: segments[2]),
            ("checked", 3) when isForm => new Part(PartKind.Checked, Field: Field(segments[1]), Value: segments[2]),
            ("formError", 1) when isForm => new Part(PartKind.FormError),
            ("messages", 1) when isForm || isTriage => new Part(PartKind.Messages),
            ("settings", 1) when isTriage => new Part(PartKind.Settings),
            ("facts", 1) when isTriage => new Part(PartKind.Facts),
            ("scripts", 1) when isTriage => new Part(PartKind.Scripts),
            ("countryOptions", 1) when isForm => new Part(PartKind.CountryOptions),
            ("submission", 1) when isForm => new Part(PartKind.Submission),
            ("ticket", 1) when isForm => new Part(PartKind.Ticket),
            ("receipt", 1) when template == TemplateKind.Receipt => new Part(PartKind.Receipt),
            _ => null,
        };

        return part ?? throw new FormatException($"{name} has an unknown placeholder {{{{{placeholder}}}}}.");

        string Field(string field) =>
            KnownFields.Contains(field) ? field : throw new FormatException($"{name}: {{{{{placeholder}}}}} names an unknown field.");
    }

    /// <summary>Resolves what is the same on every render (language, direction, texts) and merges neighbouring text.</summary>
    private static Part[] Compile(List<Part> parts, string lang, FrozenDictionary<string, string> strings, string? file = null)
    {
        file ??= lang;
        var compiled = new List<Part>();
        var pending = new StringBuilder();
        foreach (var part in parts)
        {
            switch (part.Kind)
            {
                case PartKind.Literal:
                    pending.Append(part.Text);
                    break;
                case PartKind.Lang:
                    pending.Append(Encoder.Encode(lang));
                    break;
                case PartKind.Dir:
                    pending.Append("ltr");
                    break;
                case PartKind.Text:
                    pending.Append(Encoder.Encode(strings.TryGetValue(part.Field, out var text)
                        ? text
                        : throw new InvalidOperationException($"The templates use '{part.Field}', which Web/i18n/{file}.json lacks.")));
                    break;
                default:
                    if (pending.Length > 0)
                    {
                        compiled.Add(new Part(PartKind.Literal, pending.ToString()));
                        pending.Clear();
                    }

                    compiled.Add(part);
                    break;
            }
        }

        if (pending.Length > 0)
        {
            compiled.Add(new Part(PartKind.Literal, pending.ToString()));
        }

        return [.. compiled];
    }

    [GeneratedRegex(@"\{\{([^{}]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    private enum PartKind
    {
        Literal,
        Lang,
        Dir,
        Text,
        Value,
        Error,
        Invalid,
        Selected,
        Checked,
        FormError,
        Messages,
        CountryOptions,
        Submission,
        Ticket,
        Receipt,
        Settings,
        Facts,
        Scripts,
    }

    private enum TemplateKind
    {
        Form,
        Receipt,
        Triage,
    }

    /// <summary>A piece of a template: literal text, or a placeholder with its field (or key) and value.</summary>
    private sealed record Part(PartKind Kind, string Text = "", string Field = "", string Value = "");

    private sealed record TriageLanguage(string Tag, FrozenDictionary<string, string> Strings, Part[] Page, Part[] SignedIn, string MessagesJson);

    private sealed record Language(
        string Tag,
        FrozenDictionary<string, string> Strings,
        Part[] Form,
        Part[] Receipt,
        string MessagesJson,
        string CountryOptions,
        int FormLength,
        int ReceiptLength);
}

/// <summary>The triage page's <c>#triage-facts</c> block, camelCase.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TriageFacts))]
internal sealed partial class TriageFactsJsonContext : JsonSerializerContext;
