using TipIntake.Core.Intake;

namespace TipIntake.Core.Tests.Intake;

public class SubmissionIdTests
{
    [Fact]
    public void New_ids_round_trip_through_their_text_and_differ()
    {
        var ids = Enumerable.Range(0, 500).Select(_ => SubmissionId.New()).ToList();

        foreach (var id in ids)
        {
            var text = id.ToString();
            Assert.Equal(SubmissionId.EncodedLength, text.Length);
            Assert.True(SubmissionId.TryParse(text, out var parsed));
            Assert.Equal(id, parsed);
        }

        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA")] // 21 characters
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")] // 23 characters
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")] // padded
    [InlineData("AAAAAAAAAAAAAAAAAAAA+A")] // base64, not base64url
    [InlineData("AAAAAAAAAAAAAAAAAAAA/A")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAB")] // the last character's unused bits set: not canonical
    [InlineData("AAAAAAAAAAAAAAAAAAAAA ")]
    [InlineData(" AAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAÅ")]
    public void Anything_but_22_canonical_base64url_characters_is_refused(string? text)
    {
        Assert.False(SubmissionId.TryParse(text, out _));
    }

    [Theory]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("_____________________w")]
    [InlineData("-_-_-_-_-_-_-_-_-_-_-Q")]
    public void Canonical_texts_are_accepted_and_kept_exactly(string text)
    {
        Assert.True(SubmissionId.TryParse(text, out var id));
        Assert.Equal(text, id.ToString());
    }
}
