using TipIntake.Core.Triage.Search;

namespace TipIntake.Core.Triage.Related;

/// <summary>What makes two reports look like the same event: the same place in the same weeks, the same contact, rare words in common.</summary>
public static class RelatedRules
{
    /// <summary>A report's period is cut to this many weeks (a year-long "observed" range says little about one event).</summary>
    public const int MaxWeeks = 8;

    /// <summary>At most this many places of one report take part (a long testimony names many).</summary>
    public const int MaxPlaces = 6;

    /// <summary>A word or pair is rare when at most this many tips have it.</summary>
    public const int RareWordMaxTips = 20;

    /// <summary>Suggested when at least this many rare words or pairs are shared.</summary>
    public const int MinSharedRareWords = 3;

    /// <summary>At most this many suggestions are kept per stored tip, the strongest first.</summary>
    public const int MaxSuggestions = 10;

    /// <summary>
    /// The ISO weeks (<c>2026-W45</c>) of the observed period, or of the received hour when the report gives no dates.
    /// Only dates are used (the schema's dates have no time), and the received hour only to the week.
    /// </summary>
    public static IReadOnlyList<string> WeeksOf(string? observedFrom, string? observedTo, DateTimeOffset receivedHour)
    {
        var from = ParseDate(observedFrom) ?? ParseDate(observedTo);
        var to = ParseDate(observedTo) ?? from;
        if (from is null || to is null)
        {
            return [Week(DateOnly.FromDateTime(receivedHour.UtcDateTime))];
        }

        if (to < from)
        {
            (from, to) = (to, from);
        }

        var weeks = new List<string>();
        for (var day = to.Value; day >= from.Value && weeks.Count < MaxWeeks; day = day.AddDays(-7))
        {
            weeks.Add(Week(day));
        }

        if (weeks.Count < MaxWeeks && !weeks.Contains(Week(from.Value)))
        {
            weeks.Add(Week(from.Value));
        }

        return weeks;
    }

    /// <summary>The week itself and its neighbours: "within the same weeks" allows a week either side.</summary>
    public static IReadOnlyList<string> Around(string week)
    {
        ArgumentNullException.ThrowIfNull(week);
        var year = int.Parse(week.AsSpan(0, 4), CultureInfo.InvariantCulture);
        var number = int.Parse(week.AsSpan(6), CultureInfo.InvariantCulture);
        var monday = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, number, DayOfWeek.Monday));
        return [Week(monday.AddDays(-7)), week, Week(monday.AddDays(7))];
    }

    /// <summary>
    /// The places of a report: gazetteer places named in its place, region or narrative; and its place text itself
    /// (folded) when the gazetteer does not know it, so that two reports naming the same unknown place still meet.
    /// </summary>
    public static IReadOnlyList<string> PlacesOf(string? place, string? region, string narrative, Gazetteer gazetteer)
    {
        ArgumentNullException.ThrowIfNull(gazetteer);
        var fromFields = gazetteer.Match(place).Concat(gazetteer.Match(region)).ToList();
        var places = new List<string>(fromFields);
        if (place is { Length: > 0 } && !gazetteer.Match(place).Any() && TextTerms.Fold(place) is { Length: > 0 } folded)
        {
            places.Add("text:" + folded);
        }

        places.AddRange(gazetteer.Match(narrative));
        return [.. places.Distinct(StringComparer.Ordinal).Take(MaxPlaces)];
    }

    /// <summary>
    /// A contact compared by what identifies the channel: a phone number by its last nine digits (so that +86 and a
    /// leading 0 do not matter), anything else lowercased without spaces. Null for nothing usable.
    /// </summary>
    public static string? NormalizeContact(string? contact)
    {
        if (string.IsNullOrWhiteSpace(contact))
        {
            return null;
        }

        var text = contact.Normalize(NormalizationForm.FormKC).Trim();
        var digits = new string([.. text.Where(char.IsAsciiDigit)]);
        var phoneLike = digits.Length >= 7 && text.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' ' or '(' or ')' or '.');
        if (phoneLike)
        {
            return "tel:" + digits[Math.Max(0, digits.Length - 9)..];
        }

        var compact = new string([.. text.ToLowerInvariant().Where(c => !char.IsWhiteSpace(c))]);
        return compact.Length >= 3 ? compact : null;
    }

    private static DateOnly? ParseDate(string? value) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private static string Week(DateOnly day)
    {
        var date = day.ToDateTime(TimeOnly.MinValue);
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(date):D4}-W{ISOWeek.GetWeekOfYear(date):D2}");
    }
}
