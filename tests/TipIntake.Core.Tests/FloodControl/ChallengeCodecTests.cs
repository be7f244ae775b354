using System.Security.Cryptography;
using System.Text;
using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Tests.FloodControl;

public sealed class ChallengeCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 16, 5, 0, TimeSpan.Zero);
    private readonly ChallengeCodec _codec = new(RandomNumberGenerator.GetBytes(32));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(12)]
    public void Solved_stamp_is_accepted_with_its_difficulty_and_expiry(int difficulty)
    {
        var issued = _codec.Issue(difficulty, difficulty, Now.AddMinutes(5));
        var stamp = Stamps.Solve(issued.Challenge, difficulty);

        Assert.Null(_codec.Verify(stamp, Now, out var verified));
        Assert.Equal(difficulty, verified.Difficulty);
        Assert.True(verified.Work >= difficulty);
        Assert.Equal(Now.AddMinutes(5), verified.ExpiresAt);
        Assert.Equal(ChallengeCodec.EncodedChallengeLength, issued.Challenge.Length);
    }

    [Fact]
    public void Every_challenge_has_its_own_nonce()
    {
        var first = _codec.Issue(0, 0, Now.AddMinutes(5));
        var second = _codec.Issue(0, 0, Now.AddMinutes(5));
        Assert.NotEqual(first.Challenge, second.Challenge);
        Assert.Null(_codec.Verify(first.Challenge + ":0", Now, out var a));
        Assert.Null(_codec.Verify(second.Challenge + ":0", Now, out var b));
        Assert.NotEqual(a.Nonce, b.Nonce);
    }

    [Fact]
    public void Challenge_signed_with_another_key_is_invalid()
    {
        var other = new ChallengeCodec(RandomNumberGenerator.GetBytes(32));
        var stamp = other.Issue(0, 0, Now.AddMinutes(5)).Challenge + ":0";

        Assert.Equal(FloodRefusal.StampInvalid, _codec.Verify(stamp, Now, out _));
    }

    [Fact]
    public void Lowering_the_difficulty_written_in_a_challenge_breaks_its_mac()
    {
        var issued = _codec.Issue(16, 16, Now.AddMinutes(5));
        var bytes = Base64UrlDecode(issued.Challenge);
        bytes[25] = 0;
        var tampered = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(FloodRefusal.StampInvalid, _codec.Verify(tampered + ":0", Now, out _));
    }

    [Fact]
    public void Expired_challenge_is_refused()
    {
        var issued = _codec.Issue(0, 0, Now.AddMinutes(5));
        Assert.Null(_codec.Verify(issued.Challenge + ":0", Now.AddMinutes(5).AddSeconds(-1), out _));
        Assert.Equal(FloodRefusal.StampExpired, _codec.Verify(issued.Challenge + ":0", Now.AddMinutes(5), out _));
    }

    [Fact]
    public void Stamp_with_fewer_zero_bits_than_asked_is_refused()
    {
        var issued = _codec.Issue(10, 10, Now.AddMinutes(5));
        var stamp = Stamps.Unsolved(issued.Challenge, 10);

        Assert.Equal(FloodRefusal.StampInsufficient, _codec.Verify(stamp, Now, out _));
    }

    [Fact]
    public void Missing_stamp_is_required()
    {
        Assert.Equal(FloodRefusal.StampRequired, _codec.Verify(null, Now, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a stamp")]
    [InlineData(":0")]
    [InlineData("{challenge}")]
    [InlineData("{challenge}:")]
    [InlineData("{challenge}:-1")]
    [InlineData("{challenge}:+1")]
    [InlineData("{challenge}: 1")]
    [InlineData("{challenge}:1a")]
    [InlineData("{challenge}:12345678901234567")]
    [InlineData("{challenge}:1:2")]
    [InlineData("{challenge}x:1")]
    [InlineData("{short}:1")]
    [InlineData("{badchar}:1")]
    [InlineData("{challenge}:١٢")]
    public void Malformed_stamp_is_refused_as_malformed(string template)
    {
        var challenge = _codec.Issue(0, 0, Now.AddMinutes(5)).Challenge;
        var stamp = template
            .Replace("{challenge}", challenge, StringComparison.Ordinal)
            .Replace("{short}", challenge[..^4], StringComparison.Ordinal)
            .Replace("{badchar}", challenge[..^1] + "=", StringComparison.Ordinal);

        Assert.Equal(FloodRefusal.StampMalformed, _codec.Verify(stamp, Now, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x80 }, 0)]
    [InlineData(new byte[] { 0x40 }, 1)]
    [InlineData(new byte[] { 0x01 }, 7)]
    [InlineData(new byte[] { 0x00, 0xFF }, 8)]
    [InlineData(new byte[] { 0x00, 0x00, 0x10 }, 19)]
    [InlineData(new byte[] { 0x00, 0x00 }, 16)]
    public void Leading_zero_bits_are_counted_from_the_first_byte(byte[] hash, int expected)
    {
        Assert.Equal(expected, ChallengeCodec.LeadingZeroBits(hash));
    }

    [Fact]
    public void Work_is_the_leading_zero_bits_of_sha256_over_the_stamp_text()
    {
        const string Stamp = "example:42";
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(Stamp));
        var expected = 0;
        while (expected < 256 && (hash[expected / 8] & (0x80 >> (expected % 8))) == 0)
        {
            expected++;
        }

        Assert.Equal(expected, ChallengeCodec.Work(Stamp));
    }

    [Fact]
    public void Short_keys_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ChallengeCodec(new byte[31]));
    }

    private static byte[] Base64UrlDecode(string text) =>
        Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (text.Length % 4)) % 4));

    [Fact]
    public void A_form_ticket_verifies_once_issued_expires_and_never_passes_as_a_challenge_nor_the_other_way_round()
    {
        var ticket = _codec.IssueTicket(Now.AddHours(6));

        Assert.Null(_codec.VerifyTicket(ticket, Now, out var nonce, out var expiresAt));
        Assert.Equal(Now.AddHours(6), expiresAt);
        Assert.NotEqual(UInt128.Zero, nonce);
        Assert.Equal(FloodRefusal.TicketExpired, _codec.VerifyTicket(ticket, Now.AddHours(6), out _, out _));
        Assert.Equal(FloodRefusal.StampInvalid, _codec.Verify(ticket + ":0", Now, out _));
        Assert.Equal(FloodRefusal.TicketInvalid, _codec.VerifyTicket(_codec.Issue(0, 0, Now.AddMinutes(5)).Challenge, Now, out _, out _));
        Assert.Equal(FloodRefusal.TicketInvalid, _codec.VerifyTicket(null, Now, out _, out _));
        Assert.Equal(FloodRefusal.TicketInvalid, _codec.VerifyTicket(new ChallengeCodec(RandomNumberGenerator.GetBytes(32)).IssueTicket(Now.AddHours(1)), Now, out _, out _));
    }

    [Fact]
    public void Leading_zeros_in_a_sixteen_digit_counter_are_a_valid_stamp_as_the_form_writes_it()
    {
        var challenge = _codec.Issue(4, 4, Now.AddMinutes(5)).Challenge;
        var stamp = Enumerable.Range(0, 10_000).Select(i => $"{challenge}:{i:D16}").First(s => ChallengeCodec.Work(s) >= 4);

        Assert.Null(_codec.Verify(stamp, Now, out var verified));
        Assert.True(verified.Work >= 4);
    }
}
