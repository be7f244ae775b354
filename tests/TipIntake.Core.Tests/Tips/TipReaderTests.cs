using System.Text;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Tests.Tips;

public class TipReaderTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private const string Required = "\"category\":\"detention\",\"narrative\":\"Three people were taken from the market.\",\"urgency\":\"soon\"";

    private static TipReadResult Read(string json) => TipReader.Read(Encoding.UTF8.GetBytes(json), Now);

    /// <summary>A tip with the required members and <paramref name="extra"/> (raw JSON members) added.</summary>
    private static TipReadResult ReadWith(string extra) => Read("{" + Required + (extra.Length > 0 ? "," + extra : "") + "}");

    private static string Quoted(string text) => "\"" + text + "\"";

    private static TipError SingleError(TipReadResult result)
    {
        Assert.False(result.IsValid);
        Assert.Null(result.Tip);
        return Assert.Single(result.Errors);
    }

    private static Tip Valid(TipReadResult result)
    {
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Empty(result.Errors);
        return result.Tip!;
    }

    [Fact]
    public void Full_valid_tip_reads()
    {
        var tip = Valid(Read("""
            {
              "category": "forced-repatriation",
              "narrative": "Two families were moved to the border post.\nThey are held there.",
              "location": { "country": "CN", "region": "Jilin", "place": "Tumen border post" },
              "observed": { "from": "2025-06-01", "to": "2025-06-14" },
              "peopleCount": 7,
              "urgency": "imminent",
              "language": "zh-Hans",
              "contact": "Signal: ask for the gardener",
              "padding": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            }
            """));

        Assert.Equal(
            new Tip(
                "forced-repatriation",
                "Two families were moved to the border post.\nThey are held there.",
                "imminent",
                new TipLocation("CN", "Jilin", "Tumen border post"),
                new DateOnly(2025, 6, 1),
                new DateOnly(2025, 6, 14),
                7,
                "zh-Hans",
                "Signal: ask for the gardener"),
            tip);
    }

    [Fact]
    public void Minimal_tip_reads_with_optional_fields_absent()
    {
        var tip = Valid(Read("{" + Required + "}"));

        Assert.Equal("detention", tip.Category);
        Assert.Equal("soon", tip.Urgency);
        Assert.Null(tip.Location);
        Assert.Null(tip.ObservedFrom);
        Assert.Null(tip.ObservedTo);
        Assert.Null(tip.PeopleCount);
        Assert.Null(tip.Language);
        Assert.Null(tip.Contact);
    }

    [Theory]
    [InlineData("category")]
    [InlineData("narrative")]
    [InlineData("urgency")]
    public void Missing_required_field_is_named_in_the_error(string field)
    {
        var members = new Dictionary<string, string>
        {
            ["category"] = "\"category\":\"other\"",
            ["narrative"] = "\"narrative\":\"Something happened.\"",
            ["urgency"] = "\"urgency\":\"unknown\"",
        };
        members.Remove(field);

        var error = SingleError(Read("{" + string.Join(',', members.Values) + "}"));

        Assert.Equal(field, error.Field);
        Assert.Equal("required", error.Code);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The required members with <paramref name="field"/> given the raw JSON <paramref name="rawValue"/>.</summary>
    private static string RequiredWith(string field, string rawValue)
    {
        var values = new Dictionary<string, string>
        {
            ["category"] = "\"detention\"",
            ["narrative"] = "\"Three people were taken from the market.\"",
            ["urgency"] = "\"soon\"",
        };
        values[field] = rawValue;
        return "{" + string.Join(',', values.Select(kv => $"\"{kv.Key}\":{kv.Value}")) + "}";
    }

    [Theory]
    [InlineData("category", "\"\"")]
    [InlineData("category", "null")]
    [InlineData("narrative", "\"\"")]
    [InlineData("narrative", "\"   \\n\\t \"")]
    [InlineData("narrative", "null")]
    [InlineData("urgency", "null")]
    public void Required_field_null_or_blank_is_refused(string field, string rawValue)
    {
        var error = SingleError(Read(RequiredWith(field, rawValue)));

        Assert.Equal(field, error.Field);
    }

    [Theory]
    [InlineData("category", "torture")]
    [InlineData("category", "Detention")]
    [InlineData("category", " other")]
    [InlineData("urgency", "now")]
    [InlineData("urgency", "IMMINENT")]
    public void Value_outside_the_allowed_set_is_refused(string field, string value)
    {
        var error = SingleError(Read(RequiredWith(field, Quoted(value))));

        Assert.Equal(field, error.Field);
        Assert.Equal("not-allowed", error.Code);
    }

    [Fact]
    public void Narrative_of_20000_korean_code_points_is_accepted()
    {
        var narrative = string.Concat(Enumerable.Repeat("가나다라마", 4000));
        Assert.Equal(TipLimits.NarrativeMaxCharacters, narrative.Length);
        Assert.Equal(60_000, Encoding.UTF8.GetByteCount(narrative));

        var tip = Valid(Read($$"""{"category":"other","urgency":"soon","narrative":"{{narrative}}"}"""));

        Assert.Equal(narrative, tip.Narrative);
    }

    [Fact]
    public void Narrative_of_20001_korean_code_points_is_refused()
    {
        var narrative = string.Concat(Enumerable.Repeat("가나다라마", 4000)) + "바";

        var error = SingleError(Read($$"""{"category":"other","urgency":"soon","narrative":"{{narrative}}"}"""));

        Assert.Equal("narrative", error.Field);
        Assert.Equal("too-long", error.Code);
    }

    [Fact]
    public void Narrative_length_counts_code_points_not_utf16_units()
    {
        // 20000 characters outside the BMP: 40000 UTF-16 units, 80000 UTF-8 bytes, still 20000 code points.
        var narrative = string.Concat(Enumerable.Repeat("\U0001F600", TipLimits.NarrativeMaxCharacters));
        Assert.Equal(40_000, narrative.Length);

        Valid(Read($$"""{"category":"other","urgency":"soon","narrative":"{{narrative}}"}"""));
        var error = SingleError(Read($$"""{"category":"other","urgency":"soon","narrative":"{{narrative}}x"}"""));
        Assert.Equal("too-long", error.Code);
    }

    [Theory]
    [InlineData("region", 200, true)]
    [InlineData("region", 201, false)]
    [InlineData("place", 200, true)]
    [InlineData("place", 201, false)]
    public void Location_text_is_bounded_at_200_code_points(string field, int length, bool valid)
    {
        var text = new string('서', length);
        var result = ReadWith($$"""
            "location":{"country":"KP","{{field}}":"{{text}}"}
            """);

        if (valid)
        {
            var location = Valid(result).Location!;
            Assert.Equal(text, field == "region" ? location.Region : location.Place);
        }
        else
        {
            var error = SingleError(result);
            Assert.Equal("location." + field, error.Field);
            Assert.Equal("too-long", error.Code);
        }
    }

    [Theory]
    [InlineData("region")]
    [InlineData("place")]
    public void Location_text_must_be_a_single_line(string field)
    {
        var error = SingleError(ReadWith($$"""
            "location":{"country":"KP","{{field}}":"Hyesan\nmarket"}
            """));

        Assert.Equal("location." + field, error.Field);
        Assert.Equal("invalid-characters", error.Code);
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(501, false)]
    public void Contact_is_bounded_at_500_code_points(int length, bool valid)
    {
        var contact = new string('연', length);
        var result = ReadWith($"\"contact\":{Quoted(contact)}");

        if (valid)
        {
            Assert.Equal(contact, Valid(result).Contact);
        }
        else
        {
            var error = SingleError(result);
            Assert.Equal("contact", error.Field);
            Assert.Equal("too-long", error.Code);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public void People_count_within_range_is_accepted(int count)
    {
        Assert.Equal(count, Valid(ReadWith($"\"peopleCount\":{count}")).PeopleCount);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100_001)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void People_count_out_of_range_is_refused(int count)
    {
        var error = SingleError(ReadWith($"\"peopleCount\":{count}"));

        Assert.Equal("peopleCount", error.Field);
        Assert.Equal("out-of-range", error.Code);
    }

    [Theory]
    [InlineData("ko")]
    [InlineData("en")]
    [InlineData("zh-Hans")]
    [InlineData("zh-Hant-TW")]
    [InlineData("ko-KR")]
    [InlineData("yue")]
    public void Language_tag_is_accepted(string tag)
    {
        Assert.Equal(tag, Valid(ReadWith($"\"language\":{Quoted(tag)}")).Language);
    }

    [Theory]
    [InlineData("k")]
    [InlineData("korean")]
    [InlineData("ko_KR")]
    [InlineData("ko-")]
    [InlineData("-ko")]
    [InlineData("ko KR")]
    [InlineData("zh-Hans-abcdefghi")]
    [InlineData("한국어")]
    [InlineData("")]
    [InlineData("ko\\n")]
    public void Invalid_language_tag_is_refused(string tag)
    {
        var error = SingleError(ReadWith($"\"language\":{Quoted(tag)}"));

        Assert.Equal("language", error.Field);
        Assert.Equal("not-bcp47", error.Code);
    }

    [Fact]
    public void Language_tag_longer_than_its_limit_is_refused()
    {
        var tag = "zh" + string.Concat(Enumerable.Repeat("-abcdefg", 5));
        Assert.True(tag.Length > TipLimits.LanguageMaxLength);

        Assert.Equal("language", SingleError(ReadWith($"\"language\":{Quoted(tag)}")).Field);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("ZZ")]
    [InlineData("KOR")]
    [InlineData("K")]
    [InlineData("")]
    [InlineData("EU")]
    [InlineData("UK")]
    public void Country_that_is_not_iso_3166_alpha2_is_refused(string country)
    {
        var error = SingleError(ReadWith($"\"location\":{{\"country\":{Quoted(country)}}}"));

        Assert.Equal("location.country", error.Field);
        Assert.Equal("not-iso-3166", error.Code);
    }

    [Theory]
    [InlineData("kp", "KP")]
    [InlineData("cn", "CN")]
    [InlineData("Ru", "RU")]
    [InlineData("KR", "KR")]
    public void Country_is_normalised_to_upper_case(string given, string expected)
    {
        var tip = Valid(ReadWith($"\"location\":{{\"country\":{Quoted(given)}}}"));

        Assert.Equal(expected, tip.Location!.Country);
    }

    [Fact]
    public void Location_without_country_is_refused()
    {
        var error = SingleError(ReadWith("\"location\":{\"region\":\"Hamgyong\"}"));

        Assert.Equal("location.country", error.Field);
        Assert.Equal("required", error.Code);
    }

    [Theory]
    [InlineData("2025-6-1")]
    [InlineData("2025-02-30")]
    [InlineData("20250601")]
    [InlineData("2025/06/01")]
    [InlineData("01-06-2025")]
    [InlineData("2025-06-01T00:00:00Z")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void Malformed_date_is_refused(string date)
    {
        foreach (var member in new[] { "from", "to" })
        {
            var error = SingleError(ReadWith($"\"observed\":{{\"{member}\":{Quoted(date)}}}"));

            Assert.Equal("observed." + member, error.Field);
            Assert.Equal("not-a-date", error.Code);
        }
    }

    [Theory]
    [InlineData("2025-06-15")]
    [InlineData("2025-06-16")]
    public void Date_up_to_a_day_ahead_is_accepted(string date)
    {
        var tip = Valid(ReadWith($"\"observed\":{{\"from\":{Quoted(date)},\"to\":{Quoted(date)}}}"));

        Assert.Equal(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), tip.ObservedFrom);
        Assert.Equal(tip.ObservedFrom, tip.ObservedTo);
    }

    [Theory]
    [InlineData("2025-06-17")]
    [InlineData("2026-01-01")]
    [InlineData("9999-12-31")]
    public void Future_date_is_refused(string date)
    {
        var error = SingleError(ReadWith($"\"observed\":{{\"to\":{Quoted(date)}}}"));

        Assert.Equal("observed.to", error.Field);
        Assert.Equal("in-future", error.Code);
    }

    [Fact]
    public void Observed_from_after_to_is_refused()
    {
        var error = SingleError(ReadWith("\"observed\":{\"from\":\"2025-06-10\",\"to\":\"2025-06-09\"}"));

        Assert.Equal("observed", error.Field);
        Assert.Equal("from-after-to", error.Code);
    }

    [Fact]
    public void Observed_with_only_one_end_is_accepted()
    {
        var tip = Valid(ReadWith("\"observed\":{\"from\":\"2024-12-31\"}"));

        Assert.Equal(new DateOnly(2024, 12, 31), tip.ObservedFrom);
        Assert.Null(tip.ObservedTo);
    }

    [Theory]
    [InlineData("\"informantName\":\"Kim Secret\"", "informantName")]
    [InlineData("\"location\":{\"country\":\"KP\",\"informantName\":\"Kim Secret\"}", "informantName")]
    [InlineData("\"observed\":{\"from\":\"2025-01-01\",\"informantName\":\"x\"}", "informantName")]
    [InlineData("\"informant.name\":1", "informant")]
    [InlineData("\"Category\":\"other\"", "Category")]
    public void Unknown_field_is_refused_without_echoing_its_name(string member, string name)
    {
        var error = SingleError(ReadWith(member));

        Assert.Equal("unknown-field", error.Code);
        Assert.DoesNotContain(name, error.Field, StringComparison.Ordinal);
        Assert.DoesNotContain(name, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(name, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Kim", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"category\":\"other\"")]
    [InlineData("\"narrative\":\"A second story.\"")]
    [InlineData("\"padding\":\"x\",\"padding\":\"y\"")]
    public void Duplicate_field_is_refused(string duplicate)
    {
        var error = SingleError(ReadWith(duplicate));

        Assert.Equal("duplicate-field", error.Code);
        Assert.DoesNotContain("second story", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_field_inside_location_is_refused()
    {
        var error = SingleError(ReadWith("\"location\":{\"country\":\"KP\",\"country\":\"CN\"}"));

        Assert.Equal("duplicate-field", error.Code);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xE2, 0x82 })]
    public void Invalid_utf8_is_refused(byte[] bad)
    {
        var prefix = Encoding.UTF8.GetBytes("{\"category\":\"other\",\"urgency\":\"soon\",\"narrative\":\"abc");
        var suffix = Encoding.UTF8.GetBytes("def\"}");
        var json = prefix.Concat(bad).Concat(suffix).ToArray();

        var result = TipReader.Read(json, Now);

        var error = SingleError(result);
        Assert.Equal("not-utf8", error.Code);
        Assert.Equal("$", error.Field);
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"category\":\"other\"}]")]
    [InlineData("42")]
    [InlineData("\"tip\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"category\":\"other\"} {}")]
    public void Input_that_is_not_a_json_object_is_refused(string json)
    {
        var error = SingleError(Read(json));

        Assert.Equal("$", error.Field);
        Assert.Contains(error.Code, new[] { "not-json", "not-an-object" });
    }

    [Theory]
    [InlineData("\"peopleCount\":\"3\"", "peopleCount")]
    [InlineData("\"peopleCount\":1.5", "peopleCount")]
    [InlineData("\"peopleCount\":1e3", "peopleCount")]
    [InlineData("\"peopleCount\":true", "peopleCount")]
    [InlineData("\"peopleCount\":99999999999", "peopleCount")]
    [InlineData("\"language\":5", "language")]
    [InlineData("\"location\":\"KP\"", "location")]
    [InlineData("\"location\":{\"country\":408}", "location.country")]
    [InlineData("\"observed\":[\"2025-01-01\"]", "observed")]
    public void Field_of_the_wrong_type_is_refused(string member, string field)
    {
        var error = SingleError(ReadWith(member));

        Assert.Equal("wrong-type", error.Code);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Category_of_the_wrong_type_is_refused()
    {
        var error = SingleError(Read("{\"category\":3,\"narrative\":\"x y z\",\"urgency\":\"soon\"}"));

        Assert.Equal("wrong-type", error.Code);
        Assert.Equal("category", error.Field);
    }

    [Theory]
    [InlineData("\\u0000")]
    [InlineData("\\u0007")]
    [InlineData("\\u001b[31m")]
    [InlineData("\\u007f")]
    [InlineData("\\u0085")]
    [InlineData("\\u009b")]
    public void Control_character_in_narrative_is_refused(string escaped)
    {
        var error = SingleError(Read($$"""{"category":"other","urgency":"soon","narrative":"before {{escaped}} after"}"""));

        Assert.Equal("narrative", error.Field);
        Assert.Equal("invalid-characters", error.Code);
    }

    [Fact]
    public void Tab_and_line_breaks_in_narrative_are_allowed()
    {
        var tip = Valid(Read("""{"category":"other","urgency":"soon","narrative":"line one\r\nline two\n\tindented"}"""));

        Assert.Equal("line one\r\nline two\n\tindented", tip.Narrative);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00")]
    [InlineData("\\ud800x")]
    [InlineData("\\udc00\\ud800")]
    public void Lone_surrogate_escape_is_refused(string escaped)
    {
        var error = SingleError(Read($$"""{"category":"other","urgency":"soon","narrative":"text {{escaped}} text"}"""));

        // The reader refuses to decode it: reported at the field, as a value it cannot read.
        Assert.Equal("narrative", error.Field);
        Assert.Equal("wrong-type", error.Code);
    }

    [Fact]
    public void Surrogate_pair_escape_is_accepted()
    {
        var tip = Valid(Read("""{"category":"other","urgency":"soon","narrative":"smile \ud83d\ude00"}"""));

        Assert.Equal("smile \U0001F600", tip.Narrative);
    }

    [Fact]
    public void Several_errors_are_reported_at_once()
    {
        var result = Read("""
            {
              "narrative": "bell \u0007",
              "urgency": "whenever",
              "location": { "country": "XX" },
              "observed": { "from": "2025-13-01", "to": "2099-01-01" },
              "peopleCount": -5,
              "language": "not a tag"
            }
            """);

        Assert.False(result.IsValid);
        Assert.Equal(
            new[] { "category", "language", "location.country", "narrative", "observed.from", "observed.to", "peopleCount", "urgency" },
            result.Errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Errors_never_contain_narrative_text()
    {
        const string Secret = "SECRETWITNESS";
        var inputs = new[]
        {
            $$"""{"category":"nope","urgency":"soon","narrative":"{{Secret}} \u0001"}""",
            $$"""{"category":"other","urgency":"soon","narrative":"{{Secret}}{{new string('x', 20_001)}}"}""",
            $$"""{"category":"other","urgency":"soon","narrative":"{{Secret}}","{{Secret}}":1}""",
            $$"""{"category":"other","urgency":"soon","narrative":"{{Secret}}","narrative":"{{Secret}}"}""",
            $$"""{"category":"other","urgency":"soon","narrative":["{{Secret}}"]}""",
            $$"""{"category":"{{Secret}}","urgency":"{{Secret}}","narrative":"{{Secret}}","contact":"{{Secret}}\u0002"}""",
            $$"""{"category":"other","urgency":"soon","narrative":"{{Secret}}","language":"{{Secret}} x"}""",
            $$$"""{"category":"other","urgency":"soon","narrative":"{{{Secret}}}","location":{"country":"{{{Secret}}}"}}""",
            $$$"""{"category":"other","urgency":"soon","narrative":"{{{Secret}}}","observed":{"from":"{{{Secret}}}"}}""",
            $$"""{"category":"other","urgency":"soon","narrative":"{{Secret}}" """,
        };

        foreach (var input in inputs)
        {
            var result = Read(input);

            Assert.False(result.IsValid, input);
            Assert.All(result.Errors, error =>
            {
                Assert.DoesNotContain(Secret, error.Field, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(Secret, error.Code, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(Secret, error.Message, StringComparison.OrdinalIgnoreCase);
            });
        }
    }

    [Fact]
    public void Plaintext_larger_than_any_v1_tip_is_refused_before_parsing()
    {
        var padding = new string('p', TipLimits.PlaintextMaxBytes);

        var error = SingleError(ReadWith($"\"padding\":{Quoted(padding)}"));

        Assert.Equal("too-large", error.Code);
    }

    [Fact]
    public void Padding_is_read_and_dropped()
    {
        var withPadding = Valid(ReadWith($"\"padding\":{Quoted(new string(' ', 10_000))}"));
        var without = Valid(Read("{" + Required + "}"));

        Assert.Equal(without, withPadding);
    }

    [Theory]
    [InlineData("\u202E")]
    [InlineData("\u202A")]
    [InlineData("\u202B")]
    [InlineData("\u202C")]
    [InlineData("\u202D")]
    [InlineData("\u2066")]
    [InlineData("\u2067")]
    [InlineData("\u2068")]
    [InlineData("\u2069")]
    public void Bidirectional_controls_are_refused_in_short_fields_and_kept_in_the_narrative(string control)
    {
        var json = $$"""
            {"category":"detention","urgency":"soon","narrative":"kept {{control}}here",
             "location":{"country":"CN","region":"Jilin{{control}}","place":"exe.{{control}}gnp"},"contact":"+86 {{control}}123"}
            """;

        var result = Read(json);

        Assert.Null(result.Tip);
        Assert.Equal(
            ["contact", "location.place", "location.region"],
            result.Errors.Where(e => e.Code == "invalid-characters").Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(result.Errors, e => e.Field == "narrative");
    }

    [Fact]
    public void Right_to_left_text_and_direction_marks_need_no_controls_and_pass_everywhere()
    {
        const string Json = """
            {"category":"detention","urgency":"soon","narrative":"مرحبا","location":{"country":"CN","region":"מחוז\u200F","place":"\u200Eمكان"},"contact":"עברית"}
            """;

        Assert.NotNull(Read(Json).Tip);
    }
}
