namespace TipIntake.Core.Triage.Search;

/// <summary>One place of the gazetteer: a city, region or detention facility, with its spellings in three scripts.</summary>
public sealed record GazetteerPlace(string Id, string Kind, string Country, string? Within, IReadOnlyList<string> Names);

/// <summary>
/// A small gazetteer of the China–North Korea border region: cities and detention facilities in Korean, Chinese and
/// Latin spellings (its source is stated in <c>gazetteer.json</c>), so that 도문, 图们 and Tumen are one place to the
/// search and to related reports. A facility also counts as the city it lies in.
/// </summary>
public sealed class Gazetteer
{
    private readonly List<(string Cjk, GazetteerPlace Place)> _cjk = [];
    private readonly List<(string[] Words, GazetteerPlace Place)> _latin = [];
    private readonly Dictionary<string, GazetteerPlace> _byId;

    public Gazetteer(IEnumerable<GazetteerPlace> places, string source)
    {
        ArgumentNullException.ThrowIfNull(places);
        Source = source;
        Places = [.. places];
        _byId = Places.ToDictionary(p => p.Id, StringComparer.Ordinal);
        foreach (var place in Places)
        {
            foreach (var name in place.Names)
            {
                var words = TextTerms.Words(name);
                var cjk = TextTerms.CjkText(name);
                if (cjk.Length > 0 && words.Count == 0)
                {
                    _cjk.Add((cjk, place));
                }
                else if (words.Count > 0 && cjk.Length == 0)
                {
                    _latin.Add(([.. words], place));
                }
            }
        }

        // Longest spellings first, so that a facility's name wins over the city it starts with.
        _cjk.Sort((x, y) => y.Cjk.Length.CompareTo(x.Cjk.Length));
        _latin.Sort((x, y) => y.Words.Length.CompareTo(x.Words.Length));
    }

    /// <summary>The gazetteer shipped with the service.</summary>
    public static Gazetteer Default { get; } = Load();

    public string Source { get; }

    public IReadOnlyList<GazetteerPlace> Places { get; }

    public GazetteerPlace? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The places <paramref name="text"/> names, with the city of each facility.</summary>
    public IReadOnlySet<string> Match(string? text)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
        {
            return found;
        }

        var cjk = TextTerms.CjkText(text);
        foreach (var (spelling, place) in _cjk)
        {
            if (cjk.Contains(spelling, StringComparison.Ordinal))
            {
                Add(found, place);
            }
        }

        var words = TextTerms.Words(text);
        foreach (var (spelling, place) in _latin)
        {
            if (IndexOf(words, spelling, 0) >= 0)
            {
                Add(found, place);
            }
        }

        return found;
    }

    /// <summary>
    /// Cuts the places out of a query: the place ids named (the most specific spelling wins), and what is left of the
    /// text for the ordinary terms.
    /// </summary>
    internal (IReadOnlyList<string> PlaceIds, IReadOnlyList<(TextTerms.RunKind Kind, string Text)> Remainder) Split(string query)
    {
        var ids = new List<string>();
        var rest = new List<(TextTerms.RunKind, string)>();
        foreach (var (kind, text) in TextTerms.Runs(query))
        {
            if (kind == TextTerms.RunKind.Cjk)
            {
                rest.AddRange(CutCjk(text, ids).Select(piece => (kind, piece)));
            }
            else
            {
                rest.Add((kind, text));
            }
        }

        // Latin spellings may span words: match them on the word sequence, then drop the words they used.
        var words = rest.Where(r => r.Item1 == TextTerms.RunKind.Word).Select(r => r.Item2).ToList();
        var used = new bool[words.Count];
        foreach (var (spelling, place) in _latin)
        {
            for (var at = IndexOf(words, spelling, 0); at >= 0; at = IndexOf(words, spelling, at + 1))
            {
                if (Enumerable.Range(at, spelling.Length).Any(i => used[i]))
                {
                    continue;
                }

                ids.Add(place.Id);
                for (var i = at; i < at + spelling.Length; i++)
                {
                    used[i] = true;
                }
            }
        }

        var left = rest.Where(r => r.Item1 != TextTerms.RunKind.Word).ToList();
        left.AddRange(words.Where((_, i) => !used[i]).Select(w => (TextTerms.RunKind.Word, w)));
        return (ids.Distinct(StringComparer.Ordinal).ToList(), left);
    }

    private IEnumerable<string> CutCjk(string run, List<string> ids)
    {
        foreach (var (spelling, place) in _cjk)
        {
            var at = run.IndexOf(spelling, StringComparison.Ordinal);
            if (at >= 0)
            {
                ids.Add(place.Id);
                return CutCjk(run[..at], ids).Concat(CutCjk(run[(at + spelling.Length)..], ids));
            }
        }

        return run.Length > 0 ? [run] : [];
    }

    private void Add(HashSet<string> found, GazetteerPlace place)
    {
        found.Add(place.Id);
        if (place.Within is { } city && _byId.ContainsKey(city))
        {
            found.Add(city);
        }
    }

    private static int IndexOf(IReadOnlyList<string> words, string[] spelling, int start)
    {
        for (var i = start; i + spelling.Length <= words.Count; i++)
        {
            var match = true;
            for (var j = 0; j < spelling.Length && match; j++)
            {
                match = string.Equals(words[i + j], spelling[j], StringComparison.Ordinal);
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    private static Gazetteer Load()
    {
        using var stream = typeof(Gazetteer).Assembly.GetManifestResourceStream("TipIntake.Core.Triage.Search.gazetteer.json")
            ?? throw new InvalidOperationException("The gazetteer resource is missing from the build.");
        var file = JsonSerializer.Deserialize(stream, GazetteerJsonContext.Default.GazetteerFile)
            ?? throw new InvalidOperationException("The gazetteer resource is empty.");
        return new Gazetteer(file.Places, file.Source);
    }
}

internal sealed record GazetteerFile(string Source, IReadOnlyList<GazetteerPlace> Places);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(GazetteerFile))]
internal sealed partial class GazetteerJsonContext : JsonSerializerContext;
