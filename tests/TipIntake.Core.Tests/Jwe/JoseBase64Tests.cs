using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.Jwe;

public class JoseBase64Tests
{
    [Theory]
    [InlineData("", new byte[0])]
    [InlineData("AA", new byte[] { 0 })]
    [InlineData("AAA", new byte[] { 0, 0 })]
    [InlineData("-_8", new byte[] { 0xFB, 0xFF })]
    [InlineData("48V1_ALb6US04U3b", new byte[] { 227, 197, 117, 252, 2, 219, 233, 68, 180, 225, 77, 219 })]
    public void Unpadded_base64url_decodes(string text, byte[] expected)
    {
        Assert.True(JoseBase64.TryDecode(text, out var bytes));
        Assert.Equal(expected, bytes);
        Assert.Equal(text, JoseBase64.Encode(bytes));
    }

    [Theory]
    [InlineData("AA==")]
    [InlineData("AAA=")]
    [InlineData("+/8")]
    [InlineData("AA A")]
    [InlineData("AA\nA")]
    [InlineData("A")]
    [InlineData("AAAAA")]
    [InlineData("AA.A")]
    public void Anything_but_unpadded_base64url_is_refused(string text)
    {
        Assert.False(JoseBase64.TryDecode(text, out var bytes));
        Assert.Empty(bytes);
    }

    [Theory]
    [InlineData("AB")]
    [InlineData("AAB")]
    public void Non_canonical_trailing_bits_are_refused(string text)
    {
        Assert.False(JoseBase64.TryDecode(text, out _));
    }

    [Fact]
    public void Decoded_length_matches_what_decoding_gives()
    {
        for (var byteCount = 0; byteCount <= 520; byteCount++)
        {
            var text = JoseBase64.Encode(new byte[byteCount]);

            Assert.Equal(byteCount, JoseBase64.DecodedLength(text.Length));
        }
    }
}
