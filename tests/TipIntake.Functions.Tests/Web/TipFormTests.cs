using TipIntake.Core.Tips;
using TipIntake.Functions.Web;

namespace TipIntake.Functions.Tests.Web;

/// <summary>
/// The no-script form's fields as Core's tip (Core.Tests <c>FormIntakeServiceTests</c> takes it from there): the same
/// document the script builds, and each of the validator's errors back on its form field.
/// </summary>
public sealed class TipFormTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 16, 5, 0, TimeSpan.Zero);

    private static Dictionary<string, string> ValidFields(string narrative = "세 사람이 끌려갔습니다.\r\n둘째 줄") => new()
    {
        ["category"] = "forced-repatriation",
        ["narrative"] = narrative,
        ["urgency"] = "imminent",
        ["country"] = "CN",
        ["region"] = "길림성",
        ["place"] = "",
        ["observedFrom"] = "2026-11-01",
        ["observedTo"] = "",
        ["peopleCount"] = "3",
        ["language"] = "ko",
        ["contact"] = "   ",
    };

    [Fact]
    public void Valid_fields_become_the_tip_exactly_as_typed_but_LF_line_breaks_and_blank_fields_left_out()
    {
        var (tip, unwritten) = TipForm.ToDocument(ValidFields());

        Assert.Empty(unwritten);
        Assert.Equal(
            new TipDocument
            {
                Category = "forced-repatriation",
                Narrative = "세 사람이 끌려갔습니다.\n둘째 줄",
                Urgency = "imminent",
                Location = new LocationDocument { Country = "CN", Region = "길림성" },
                Observed = new ObservedDocument { From = "2026-11-01" },
                PeopleCount = 3,
                Language = "ko",
            },
            tip);
        var read = TipReader.Read(TipPadding.ToPaddedJson(tip), Now).Tip!;
        Assert.Equal("세 사람이 끌려갔습니다.\n둘째 줄", read.Narrative);
        Assert.Equal(new TipLocation("CN", "길림성", null), read.Location);
        Assert.Equal(3, read.PeopleCount);
        Assert.Null(read.Contact);
        Assert.Null(read.ObservedTo);
    }

    [Fact]
    public void Invalid_fields_come_back_as_form_field_errors()
    {
        var fields = ValidFields();
        fields.Remove("urgency");
        fields["country"] = "";
        fields["observedFrom"] = "2099-01-01";
        fields["peopleCount"] = "many";

        // What the form intake does with the tip: the errors it could not write first, then the validator's.
        var (tip, unwritten) = TipForm.ToDocument(fields);
        var schemaErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var error in unwritten.Concat(TipReader.Read(TipPadding.ToPaddedJson(tip), Now).Errors))
        {
            schemaErrors.TryAdd(error.Field, error.Code);
        }

        var errors = TipForm.FieldErrors(schemaErrors);
        Assert.Equal("required", errors["urgency"]);
        Assert.Equal("required", errors["country"]);
        Assert.Equal("in-future", errors["observedFrom"]);
        Assert.Equal("not-a-number", errors["peopleCount"]);
    }

    [Theory]
    [InlineData("location", "country")]
    [InlineData("location.country", "country")]
    [InlineData("location.region", "region")]
    [InlineData("location.place", "place")]
    [InlineData("observed", "observedTo")]
    [InlineData("observed.from", "observedFrom")]
    [InlineData("observed.to", "observedTo")]
    [InlineData("narrative", "narrative")]
    public void Schema_paths_name_their_form_fields(string schemaPath, string field) => Assert.Equal(field, TipForm.FieldOf(schemaPath));
}
