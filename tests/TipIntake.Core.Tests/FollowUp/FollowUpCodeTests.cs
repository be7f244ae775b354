using System.Security.Cryptography;
using TipIntake.Core.FollowUp;

namespace TipIntake.Core.Tests.FollowUp;

public class FollowUpCodeTests
{
    /// <summary>docs/follow-up.md, "Test vector".</summary>
    public static readonly byte[] VectorValue = Convert.FromHexString("0330557a9fc4e90e33587da2");

    public const string VectorLetters = "SGANX-9ZH79-1RSNG-ZD2HQ";
    public const string VectorDigits = "0986 8871 3197 1941 1136 3478 2626 6346";

    [Fact]
    public void The_test_vector_formats_in_both_forms()
    {
        Assert.Equal(VectorLetters, FollowUpCode.FormatLetters(VectorValue));
        Assert.Equal(VectorDigits, FollowUpCode.FormatDigits(VectorValue));
    }

    [Theory]
    [InlineData(VectorLetters)]
    [InlineData(VectorDigits)]
    [InlineData("sganx9zh791rsngzd2hq")]
    [InlineData("  SGANX 9ZH79 1RSNG ZD2HQ\r\n")]
    [InlineData("SGANX.9ZH79·1RSNG–ZD2HQ")]
    [InlineData("SGANX-9ZH79-IRSNG-ZD2HQ")] // I read as 1
    [InlineData("SGANX-9ZH79-lRSNG-ZD2HQ")] // l read as 1
    [InlineData("09868871319719411136347826266346")]
    [InlineData("O986-8871-3197-1941-1136-3478-2626-6346")] // O read as 0
    [InlineData("０９８６ ８８７１ ３１９７ １９４１ １１３６ ３４７８ ２６２６ ６３４６")] // full-width digits
    [InlineData("ＳＧＡＮＸ－９ＺＨ７９－１ＲＳＮＧ－ＺＤ２ＨＱ")] // full-width letters and dashes
    [InlineData("ｓｇａｎｘ　９ｚｈ７９　１ｒｓｎｇ　ｚｄ２ｈｑ")] // full-width lower case, ideographic spaces
    [InlineData("SGANX・9ZH79・1RSNG・ZD2HQ")] // katakana middle dots
    public void Either_form_as_typed_or_pasted_gives_the_same_value(string typed)
    {
        var value = new byte[FollowUpCode.ValueBytes];
        Assert.Equal(FollowUpCodeStatus.Valid, FollowUpCode.Parse(typed, value));
        Assert.Equal(VectorValue, value);
    }

    [Theory]
    [InlineData("SGANX-9ZH79-1RSNG-ZD2HR")] // last check symbol changed
    [InlineData("SGANX-9ZH79-1RSNG-ZD2QH")] // check symbols swapped
    [InlineData("0986 8871 3197 1941 1136 3478 2626 6347")]
    [InlineData("9999 9999 9999 9999 9999 9999 9999 0000")] // not a 90-bit value
    public void A_check_mismatch_is_a_typo(string typed)
    {
        var value = new byte[FollowUpCode.ValueBytes];
        Assert.Equal(FollowUpCodeStatus.Typo, FollowUpCode.Parse(typed, value));
        Assert.All(value, b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData("")]
    [InlineData("SGANX-9ZH79-1RSNG-ZD2H")]
    [InlineData("SGANX-9ZH79-1RSNG-ZD2HQQ")]
    [InlineData("0986 8871 3197 1941 1136 3478 2626 634")]
    [InlineData("SGANX-9ZH79-1RSNG-ZD2HU")] // U is not a symbol
    [InlineData("K7Q2M-ABCDE-FGHJK-MNPQR-STVWX")]
    public void Anything_else_is_the_wrong_length(string typed)
    {
        Assert.Equal(FollowUpCodeStatus.WrongLength, FollowUpCode.Parse(typed, new byte[FollowUpCode.ValueBytes]));
    }

    [Fact]
    public void Random_codes_round_trip_and_most_single_symbol_typos_are_caught()
    {
        var caught = 0;
        var tries = 0;
        var value = new byte[FollowUpCode.ValueBytes];
        for (var i = 0; i < 200; i++)
        {
            var v = RandomNumberGenerator.GetBytes(FollowUpCode.ValueBytes);
            v[0] &= 0x03;
            foreach (var code in (string[])[FollowUpCode.FormatLetters(v), FollowUpCode.FormatDigits(v)])
            {
                Assert.Equal(FollowUpCodeStatus.Valid, FollowUpCode.Parse(code, value));
                Assert.Equal(v, value);
                var typo = code.ToCharArray();
                typo[7] = typo[7] == '7' ? '8' : '7';
                tries++;
                caught += FollowUpCode.Parse(new string(typo), value) == FollowUpCodeStatus.Typo ? 1 : 0;
            }
        }

        Assert.True(caught >= tries - 2, $"{caught} of {tries} typos caught");
    }
}
