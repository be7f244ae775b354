using Azure.Data.Tables;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Infrastructure.Tests.Storage;

public class NarrativeColumnsTests
{
    [Fact]
    public void Short_narrative_is_one_column_named_as_before()
    {
        var entity = new TableEntity("p", "r");

        NarrativeColumns.Write(entity, "세 사람이 끌려갔습니다.");

        Assert.Equal("세 사람이 끌려갔습니다.", entity.GetString("Narrative"));
        Assert.False(entity.ContainsKey("Narrative2"));
        Assert.Equal("세 사람이 끌려갔습니다.", NarrativeColumns.Read(entity));
    }

    [Theory]
    [InlineData(NarrativeColumns.MaxCodeUnitsPerColumn - 1)] // the pair would straddle the cut: it moves to the next column
    [InlineData(NarrativeColumns.MaxCodeUnitsPerColumn)]
    [InlineData(NarrativeColumns.MaxCodeUnitsPerColumn - 2)]
    public void Long_narrative_is_cut_between_code_points_and_read_back_whole(int asciiBefore)
    {
        var narrative = new string('a', asciiBefore) + "𠀋" + new string('b', 40_000 - asciiBefore);
        var entity = new TableEntity("p", "r");

        NarrativeColumns.Write(entity, narrative);

        var first = entity.GetString("Narrative");
        Assert.True(first.Length <= NarrativeColumns.MaxCodeUnitsPerColumn);
        Assert.False(char.IsHighSurrogate(first[^1]), "a column must not end inside a surrogate pair");
        Assert.False(char.IsLowSurrogate(entity.GetString("Narrative2")[0]));
        Assert.Equal(narrative, NarrativeColumns.Read(entity));
    }

    [Fact]
    public void Empty_row_reads_as_an_empty_narrative()
    {
        Assert.Equal("", NarrativeColumns.Read(new TableEntity("p", "r")));
    }
}
