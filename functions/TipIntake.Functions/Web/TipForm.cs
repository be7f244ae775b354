namespace TipIntake.Functions.Web;

/// <summary>
/// The no-script reporter form's fields (<see cref="FieldNames"/>, also the script's <c>#facts</c>) and their mapping to
/// Core's tip schema v1: the form's fields become the <see cref="TipDocument"/> the script builds, and the schema paths
/// of its errors the fields to show them on.
/// </summary>
public static class TipForm
{
    public static IReadOnlyList<string> FieldNames { get; } =
        ["category", "narrative", "country", "region", "place", "observedFrom", "observedTo", "peopleCount", "urgency", "language", "contact"];

    /// <summary>
    /// The tip the fields make; empty fields are left out, so that the validator reports what is missing. A people
    /// count that is not a whole number cannot be written: it is the one error returned here (the validator reports
    /// the rest, all at once).
    /// </summary>
    public static (TipDocument Tip, IReadOnlyList<TipError> Unwritten) ToDocument(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);

        // Browsers send a textarea's line breaks as CRLF; in-browser encryption sees LF. Normalise, so the two paths
        // produce the same tip.
        string? Field(string name) => fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Replace("\r\n", "\n", StringComparison.Ordinal)
            : null;

        var (country, region, place, from, to, count) =
            (Field("country"), Field("region"), Field("place"), Field("observedFrom"), Field("observedTo"), Field("peopleCount"));
        var number = int.TryParse(count?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;
        var tip = new TipDocument
        {
            Category = Field("category"),
            Narrative = Field("narrative"),
            Urgency = Field("urgency"),
            Location = (country ?? region ?? place) is null ? null : new LocationDocument { Country = country, Region = region, Place = place },
            Observed = (from ?? to) is null ? null : new ObservedDocument { From = from, To = to },
            PeopleCount = number,
            Language = Field("language"),
            Contact = Field("contact"),
        };
        return (tip, count is not null && number is null ? [new TipError("peopleCount", "not-a-number", "Not a whole number.")] : []);
    }

    /// <summary>Each error on the form field its schema path refers to (the first, where two refer to the same field).</summary>
    public static IReadOnlyDictionary<string, string> FieldErrors(IReadOnlyDictionary<string, string> schemaErrors)
    {
        ArgumentNullException.ThrowIfNull(schemaErrors);
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, code) in schemaErrors)
        {
            errors.TryAdd(FieldOf(path), code);
        }

        return errors;
    }

    /// <summary>The form field a schema path refers to (<c>location.country</c> → <c>country</c>).</summary>
    public static string FieldOf(string schemaPath) => schemaPath switch
    {
        "location.country" or "location" => "country",
        "location.region" => "region",
        "location.place" => "place",
        "observed.from" => "observedFrom",
        "observed.to" or "observed" => "observedTo",
        _ => schemaPath,
    };
}
