namespace TipIntake.Core.Triage.Search;

/// <summary>What a tip is found by, and what a query asks for, as terms of the same kind (<see cref="TextTerms"/>).</summary>
public static class SearchTerms
{
    public const string PlacePrefix = "g:";

    /// <summary>Longest query text accepted, in characters.</summary>
    public const int MaxQueryLength = 200;

    /// <summary>At most this many terms from one query (each is one set to walk).</summary>
    public const int MaxQueryTerms = 12;

    /// <summary>The narrative's, the place's and the region's terms, and the gazetteer's places any of them names.</summary>
    public static IReadOnlySet<string> OfTip(string narrative, string? place, string? region, Gazetteer gazetteer)
    {
        ArgumentNullException.ThrowIfNull(gazetteer);
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in (string?[])[narrative, place, region])
        {
            terms.UnionWith(TextTerms.Of(text));
            terms.UnionWith(gazetteer.Match(text).Select(id => PlacePrefix + id));
        }

        return terms;
    }

    /// <summary>
    /// The terms a tip must have to match <paramref name="query"/> (all of them): each place the gazetteer knows as
    /// its place term, whatever script it was typed in; the rest as words and bigrams. Empty for a query with nothing
    /// to look for (punctuation only).
    /// </summary>
    public static IReadOnlyList<string> OfQuery(string query, Gazetteer gazetteer)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(gazetteer);
        var (places, rest) = gazetteer.Split(query);
        return [.. places.Select(id => PlacePrefix + id).Concat(TextTerms.TokensOf(rest)).Distinct(StringComparer.Ordinal)];
    }
}
