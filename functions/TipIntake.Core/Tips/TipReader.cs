using System.Buffers;
using System.Text.RegularExpressions;
using TipIntake.Core.Attachments;

namespace TipIntake.Core.Tips;

/// <summary>Reads a decrypted plaintext as tip schema v1 and validates it, listing every problem it finds.</summary>
public static partial class TipReader
{
    /// <summary>Dates up to a day ahead of the server's are allowed, since a reporter's day may already have begun.</summary>
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromDays(1);

    public static TipReadResult Read(ReadOnlySpan<byte> plaintext, DateTimeOffset now, AttachmentLimits? attachmentLimits = null)
    {
        if (plaintext.Length > TipLimits.PlaintextMaxBytes)
        {
            return Fail("$", "too-large", "The tip is larger than any v1 tip can be.");
        }

        // Checked up front: the serialiser reports invalid UTF-8 inside a string as a JsonException (a "wrong type").
        if (!System.Text.Unicode.Utf8.IsValid(plaintext))
        {
            return Fail("$", "not-utf8", "The tip is not valid UTF-8.");
        }

        TipDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(plaintext, TipJsonContext.Default.TipDocument);
        }
        catch (JsonException ex)
        {
            return Fail(SchemaPath(ex.Path), JsonErrorCode(ex), JsonErrorMessage(ex));
        }
        catch (InvalidOperationException)
        {
            return Fail("$", "not-utf8", "The tip is not valid UTF-8.");
        }

        if (document is null)
        {
            return Fail("$", "not-an-object", "The tip must be a JSON object.");
        }

        var errors = new List<TipError>();
        var tip = Validate(document, DateOnly.FromDateTime(now.UtcDateTime.Add(FutureTolerance)), errors);
        return errors.Count == 0
            ? new TipReadResult(tip, [])
            {
                FollowUp = FollowUp.FollowUpReader.Read(document.FollowUp),
                Attachments = AttachmentManifestReader.Read(document.Attachments, attachmentLimits ?? new()),
            }
            : new TipReadResult(null, errors);
    }

    private static Tip Validate(TipDocument d, DateOnly latestDate, List<TipError> errors)
    {
        var category = OneOf(d.Category, "category", TipCategories.All, errors);
        var urgency = OneOf(d.Urgency, "urgency", TipUrgencies.All, errors);
        var narrative = Text(d.Narrative, "narrative", TipLimits.NarrativeMaxCharacters, multiline: true, required: true, errors);
        var contact = Text(d.Contact, "contact", TipLimits.ContactMaxCharacters, multiline: true, required: false, errors, refuseBidiControls: true);
        var location = d.Location is null ? null : Location(d.Location, errors);
        var language = Language(d.Language, errors);

        DateOnly? from = Date(d.Observed?.From, "observed.from", latestDate, errors);
        DateOnly? to = Date(d.Observed?.To, "observed.to", latestDate, errors);
        if (from > to)
        {
            errors.Add(new("observed", "from-after-to", "observed.from must not be after observed.to."));
        }

        if (d.PeopleCount is < 0 or > TipLimits.PeopleCountMax)
        {
            errors.Add(new("peopleCount", "out-of-range", $"peopleCount must be between 0 and {TipLimits.PeopleCountMax}."));
        }

        return new Tip(category ?? "", narrative ?? "", urgency ?? "", location, from, to, d.PeopleCount, language, contact);
    }

    private static TipLocation? Location(LocationDocument l, List<TipError> errors)
    {
        var country = l.Country?.ToUpperInvariant();
        if (country is null)
        {
            errors.Add(new("location.country", "required", "location.country is required when location is given."));
        }
        else if (!CountryCodes.IsAssigned(country))
        {
            errors.Add(new("location.country", "not-iso-3166", "location.country must be an ISO 3166-1 alpha-2 code, such as CN or KP."));
        }

        var region = Text(l.Region, "location.region", TipLimits.RegionMaxCharacters, multiline: false, required: false, errors, refuseBidiControls: true);
        var place = Text(l.Place, "location.place", TipLimits.PlaceMaxCharacters, multiline: false, required: false, errors, refuseBidiControls: true);
        return country is null ? null : new TipLocation(country, region, place);
    }

    private static string? OneOf(string? value, string field, IReadOnlyList<string> allowed, List<TipError> errors)
    {
        if (value is null)
        {
            errors.Add(new(field, "required", $"{field} is required."));
            return null;
        }

        if (!allowed.Contains(value))
        {
            errors.Add(new(field, "not-allowed", $"{field} must be one of: {string.Join(", ", allowed)}."));
            return null;
        }

        return value;
    }

    /// <summary>
    /// Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). In a short field — a place, a
    /// region, a contact — they can only deceive: a reversed phone number or a place name that reads as another in the
    /// triage page. Right-to-left text needs none of them (the Unicode bidi algorithm orders it). A narrative may keep
    /// them; the triage page isolates every field it shows, so none can reorder text around it.
    /// </summary>
    public static readonly SearchValues<char> BidiControls = SearchValues.Create(BidiControlCharacters);

    /// <summary>The characters of <see cref="BidiControls"/>, for the reporter form's script (sent in its data block).</summary>
    public const string BidiControlCharacters = "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069";

    private static string? Text(
        string? value, string field, int maxCharacters, bool multiline, bool required, List<TipError> errors, bool refuseBidiControls = false)
    {
        if (value is null || string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, "required", $"{field} is required and must contain text."));
            }

            return null;
        }

        if (!IsWellFormedText(value, multiline))
        {
            errors.Add(new(field, "invalid-characters", multiline
                ? $"{field} must not contain control characters other than tab and line breaks."
                : $"{field} must not contain control characters or line breaks."));
            return null;
        }

        if (refuseBidiControls && value.AsSpan().ContainsAny(BidiControls))
        {
            errors.Add(new(field, "invalid-characters", $"{field} must not contain bidirectional override, embedding or isolate characters (U+202A-U+202E, U+2066-U+2069)."));
            return null;
        }

        if (CountCodePoints(value) > maxCharacters)
        {
            errors.Add(new(field, "too-long", $"{field} must be at most {maxCharacters} characters."));
            return null;
        }

        return value;
    }

    private static string? Language(string? value, List<TipError> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > TipLimits.LanguageMaxLength || !LanguageTag().IsMatch(value))
        {
            errors.Add(new("language", "not-bcp47", "language must be a BCP 47 tag, such as ko, zh-Hans or en."));
            return null;
        }

        return value;
    }

    private static DateOnly? Date(string? value, string field, DateOnly latestDate, List<TipError> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors.Add(new(field, "not-a-date", $"{field} must be a date written YYYY-MM-DD."));
            return null;
        }

        if (date > latestDate)
        {
            errors.Add(new(field, "in-future", $"{field} must not be in the future."));
            return null;
        }

        return date;
    }

    /// <summary>Refuses C0/C1 controls (except tab and line breaks where allowed) and lone surrogates.</summary>
    internal static bool IsWellFormedText(string value, bool multiline)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
                continue;
            }

            if (char.IsLowSurrogate(c) || (char.IsControl(c) && !(multiline && c is '\t' or '\n' or '\r')))
            {
                return false;
            }
        }

        return true;
    }

    internal static int CountCodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static TipReadResult Fail(string field, string code, string message) => new(null, [new TipError(field, code, message)]);

    /// <summary>Keeps only paths made of schema names, so an unknown member's name (reporter text) never reaches a log.</summary>
    private static string SchemaPath(string? path) =>
        path is not null && KnownPath().IsMatch(path) ? path.TrimStart('$', '.') is { Length: > 0 } p ? p : "$" : "$";

    private static string JsonErrorCode(JsonException ex) =>
        ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "unknown-field"
        : ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "duplicate-field"
        : ex.Path is { Length: > 1 } ? "wrong-type"
        : "not-json";

    private static string JsonErrorMessage(JsonException ex) => JsonErrorCode(ex) switch
    {
        "unknown-field" => "The tip contains a field that schema v1 does not define.",
        "duplicate-field" => "The tip names a field twice.",
        "wrong-type" => "A field has the wrong JSON type (for example text where a whole number is expected).",
        _ => "The tip is not a well-formed UTF-8 JSON object.",
    };

    /// <summary>Whether <paramref name="value"/> is a language tag as a tip's <c>language</c> must be.</summary>
    internal static bool IsLanguageTag(string value) => value.Length <= TipLimits.LanguageMaxLength && LanguageTag().IsMatch(value);

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\z", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();

    [GeneratedRegex(@"^\$(\.(category|narrative|location|country|region|place|observed|from|to|peopleCount|urgency|language|contact|padding|followUp|attachments))*$", RegexOptions.CultureInvariant)]
    private static partial Regex KnownPath();
}

/// <summary>Either a valid tip or the list of what is wrong with it.</summary>
public sealed record TipReadResult(Tip? Tip, IReadOnlyList<TipError> Errors)
{
    /// <summary>The tip's follow-up member, valid or rejected (a rejection never makes the tip invalid).</summary>
    public FollowUp.FollowUpRead FollowUp { get; init; }

    /// <summary>The files the tip names, and those it could not take with their faults (never a reason to refuse the tip).</summary>
    public AttachmentManifestRead Attachments { get; init; } = AttachmentManifestRead.Absent;

    public bool IsValid => Tip is not null;
}
