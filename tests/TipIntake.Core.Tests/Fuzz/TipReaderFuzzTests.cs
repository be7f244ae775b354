using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of <see cref="TipReader.Read"/>: it never throws on any bytes or JSON; every generated valid
/// tip is accepted exactly as written; any unknown member, and anything past a bound, is refused.
/// </summary>
public sealed class TipReaderFuzzTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Countries = ["CN", "KP", "KR", "RU", "MN", "VN", "LA", "TH"];

    private static readonly HashSet<string> KnownMembers = ["category", "narrative", "location", "observed", "peopleCount", "urgency", "language", "contact", "padding"];

    /// <summary>
    /// Text a reporter may write: any scalar value but controls (tab and line breaks where allowed) and, in a short
    /// field, bidirectional controls.
    /// </summary>
    private static Gen<string> Text(int max, bool multiline, bool shortField = false) =>
        Gen.String[
            Gen.Frequency(
                (6, Gen.Char['\u0020', '\u007E']),
                (3, Gen.Char['\u00A0', '\uD7FF']),
                (1, Gen.Char[multiline ? "\t\n\r" : " "])),
            0,
            max - 1]
        .Select(s => "x" + (shortField ? string.Concat(s.Where(c => !TipReader.BidiControls.Contains(c))) : s));

    private static readonly Gen<string> Language =
        from primary in Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"], 2, 3]
        from subtags in Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"], 1, 8].List[0, 3]
        let tag = string.Join('-', subtags.Prepend(primary))
        where tag.Length <= TipLimits.LanguageMaxLength
        select tag;

    private static readonly Gen<DateOnly> PastDate = Gen.Int[0, 20_000].Select(days => DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-days));

    /// <summary>A valid v1 tip: required members, and each optional one present or not.</summary>
    private static readonly Gen<(Dictionary<string, object?> Json, Tip Expected)> ValidTip =
        from category in Gen.Int[0, TipCategories.All.Count - 1].Select(i => TipCategories.All[i])
        from urgency in Gen.Int[0, TipUrgencies.All.Count - 1].Select(i => TipUrgencies.All[i])
        from narrative in Text(2_000, multiline: true)
        from country in Gen.Int[0, Countries.Length - 1].Select(i => Countries[i]).Null()
        from region in Text(TipLimits.RegionMaxCharacters, multiline: false, shortField: true).Null()
        from place in Text(TipLimits.PlaceMaxCharacters, multiline: false, shortField: true).Null()
        from observedFrom in Maybe(PastDate)
        from span in Gen.Int[0, 400]
        from hasTo in Gen.Bool
        from people in Maybe(Gen.Int[0, TipLimits.PeopleCountMax])
        from language in Language.Null()
        from contact in Text(TipLimits.ContactMaxCharacters, multiline: true, shortField: true).Null()
        from padding in Gen.String[Gen.Char[" "], 0, 500].Null()
        let today = DateOnly.FromDateTime(Now.UtcDateTime)
        let observedTo = !hasTo ? (DateOnly?)null
            : observedFrom is { } start ? (start.AddDays(span) > today ? today : start.AddDays(span))
            : today.AddDays(-span)
        select Build(category, urgency, narrative, country, region, place, observedFrom, observedTo, people, language, contact, padding);

    [Fact]
    public void Random_bytes_never_throw() =>
        Gen.Byte.Array[0, 4_000].Sample(bytes => AssertReadable(bytes), iter: FuzzSettings.Iterations(20_000));

    [Fact]
    public void Random_json_documents_never_throw_and_only_objects_can_be_tips() =>
        JsonValue(4).Sample(
            node =>
            {
                var json = node?.ToJsonString() ?? "null";
                var result = AssertReadable(Encoding.UTF8.GetBytes(json));
                if (node is not JsonObject)
                {
                    Assert.False(result.IsValid);
                }
            },
            iter: FuzzSettings.Iterations(20_000));

    [Fact]
    public void Generated_valid_tips_are_accepted_exactly() =>
        ValidTip.Sample(
            t =>
            {
                var result = TipReader.Read(JsonSerializer.SerializeToUtf8Bytes(t.Json), Now);
                Assert.True(result.IsValid, string.Join("; ", result.Errors));
                Assert.Equal(t.Expected, result.Tip! with { Location = null });
                Assert.Equal(t.Json.TryGetValue("location", out var location) ? ((Dictionary<string, object?>)location!)["country"] : null, result.Tip!.Location?.Country);
            },
            iter: FuzzSettings.Iterations(3_000));

    [Fact]
    public void Any_unknown_member_is_refused() =>
        (from t in ValidTip
         from name in Gen.String[Gen.Char['\u0020', '\u2FFF'], 0, 20]
         from level in Gen.Int[0, 2]
         // "$" is the root's own path in error fields: a member of that name would look echoed when it is not.
         where !KnownMembers.Contains(name) && name is not ("country" or "region" or "place" or "from" or "to" or "$")
         select (t.Json, name, level))
        .Sample(
            c =>
            {
                var target = c.level switch
                {
                    1 => Member(c.Json, "location", () => new Dictionary<string, object?> { ["country"] = "CN" }),
                    2 => Member(c.Json, "observed", () => []),
                    _ => c.Json,
                };
                target[c.name] = 1;
                var result = TipReader.Read(JsonSerializer.SerializeToUtf8Bytes(c.Json), Now);
                Assert.False(result.IsValid);
                Assert.Contains(result.Errors, e => e.Code == "unknown-field");
                Assert.DoesNotContain(result.Errors, e => c.name.Length > 0 && e.Field.Contains(c.name, StringComparison.Ordinal) && !KnownMembers.Contains(c.name));
            },
            iter: FuzzSettings.Iterations(3_000));

    [Fact]
    public void Bounds_are_enforced() =>
        (from t in ValidTip
         from bound in Gen.Int[0, 6]
         from over in Gen.Int[1, 50]
         select (t.Json, bound, over))
        .Sample(
            c =>
            {
                var (field, code) = c.bound switch
                {
                    0 => Set(c.Json, "narrative", new string('n', TipLimits.NarrativeMaxCharacters + c.over), "narrative", "too-long"),
                    1 => Set(c.Json, "contact", new string('c', TipLimits.ContactMaxCharacters + c.over), "contact", "too-long"),
                    2 => Set(c.Json, "peopleCount", TipLimits.PeopleCountMax + c.over, "peopleCount", "out-of-range"),
                    3 => Set(c.Json, "peopleCount", -c.over, "peopleCount", "out-of-range"),
                    4 => Set(c.Json, "language", "en-" + new string('a', 8) + string.Concat(Enumerable.Repeat("-abcdefgh", 4)) + new string('b', c.over % 8), "language", "not-bcp47"),
                    5 => Set(c.Json, "location", new Dictionary<string, object?> { ["country"] = "CN", ["region"] = new string('r', TipLimits.RegionMaxCharacters + c.over) }, "location.region", "too-long"),
                    _ => Set(c.Json, "padding", new string(' ', TipLimits.PlaintextMaxBytes + c.over), "$", "too-large"),
                };
                var result = TipReader.Read(JsonSerializer.SerializeToUtf8Bytes(c.Json), Now);
                Assert.False(result.IsValid);
                Assert.Contains(result.Errors, e => e.Field == field && e.Code == code);
            },
            iter: FuzzSettings.Iterations(1_000));

    private static Dictionary<string, object?> Member(Dictionary<string, object?> json, string name, Func<Dictionary<string, object?>> create) =>
        (Dictionary<string, object?>)(json.TryGetValue(name, out var member) ? member! : json[name] = create());

    private static (string Field, string Code) Set(Dictionary<string, object?> json, string name, object value, string field, string code)
    {
        json[name] = value;
        return (field, code);
    }

    private static TipReadResult AssertReadable(byte[] bytes)
    {
        var result = TipReader.Read(bytes, Now);
        Assert.True(result.IsValid ? result.Errors.Count == 0 : result.Errors.Count > 0);
        Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.Code)));
        return result;
    }

    /// <summary>Random JSON: values of every kind, objects with schema and non-schema names, nested a few levels.</summary>
    private static Gen<JsonNode?> JsonValue(int depth)
    {
        var name = Gen.Frequency((3, Gen.Int[0, KnownMembers.Count - 1].Select(i => KnownMembers.ElementAt(i))), (1, Gen.String[0, 8]));
        var scalar = Gen.OneOf(
            Gen.Bool.Select(_ => (JsonNode?)null),
            Gen.Bool.Select(b => (JsonNode?)JsonValueOf(b)),
            Gen.Long.Select(l => (JsonNode?)JsonValueOf(l)),
            Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValueOf(d) : null),
            Gen.String.Select(s => (JsonNode?)JsonValueOf(s)),
            Gen.Int[0, TipCategories.All.Count - 1].Select(i => (JsonNode?)JsonValueOf(TipCategories.All[i])));
        if (depth == 0)
        {
            return scalar;
        }

        var inner = JsonValue(depth - 1);
        return Gen.Frequency(
            (3, scalar),
            (1, inner.List[0, 4].Select(items => (JsonNode?)new JsonArray([.. items]))),
            (3, Gen.Select(name, inner).List[0, 8].Select(members =>
            {
                var o = new JsonObject();
                foreach (var (n, v) in members)
                {
                    o[n] = v;
                }

                return (JsonNode?)o;
            })));
    }

    private static System.Text.Json.Nodes.JsonValue JsonValueOf<T>(T value) => System.Text.Json.Nodes.JsonValue.Create(value)!;

    private static Gen<T?> Maybe<T>(Gen<T> gen)
        where T : struct =>
        Gen.Bool.SelectMany(present => present ? gen.Select(v => (T?)v) : Gen.Bool.Select(_ => (T?)null));

    private static (Dictionary<string, object?> Json, Tip Expected) Build(
        string category, string urgency, string narrative, string? country, string? region, string? place,
        DateOnly? from, DateOnly? to, int? people, string? language, string? contact, string? padding)
    {
        var json = new Dictionary<string, object?> { ["category"] = category, ["narrative"] = narrative, ["urgency"] = urgency };
        if (country is not null)
        {
            var location = new Dictionary<string, object?> { ["country"] = country };
            if (region is not null)
            {
                location["region"] = region;
            }

            if (place is not null)
            {
                location["place"] = place;
            }

            json["location"] = location;
        }

        if (from is not null || to is not null)
        {
            var observed = new Dictionary<string, object?>();
            if (from is { } f)
            {
                observed["from"] = f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            if (to is { } t)
            {
                observed["to"] = t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            }

            json["observed"] = observed;
        }

        if (people is not null)
        {
            json["peopleCount"] = people;
        }

        if (language is not null)
        {
            json["language"] = language;
        }

        if (contact is not null)
        {
            json["contact"] = contact;
        }

        if (padding is not null)
        {
            json["padding"] = padding;
        }

        return (json, new Tip(category, narrative, urgency, null, from, to, people, language, contact));
    }
}
