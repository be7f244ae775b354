using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.FollowUp;

/// <summary>
/// The reporter's sealed key and messages to it, against values the browser's own code made (the reporter page's
/// <c>follow-up-keys.js</c> in WebCrypto, for the code value of docs/follow-up.md's test vector): what the page seals
/// and encrypts, .NET opens, and the reverse.
/// </summary>
public sealed class ReporterKeyInteropTests
{
    // W of the documented vector (V = 0330557a9fc4e90e33587da2).
    private static readonly byte[] SealingKey = Convert.FromHexString("267e969c6f93213b19f637c6f50a9f304c7926b7aeed0a60f7362c399a01682f");

    private const string X = "UAXXkXtz3jh3uQE0uAeXZGNugFKO_ALbygH53pADJ6g";
    private const string Y = "w9Z4JIKCaYv8Hy-kDsqejeG42fBYOvADZQ5bUn6EQ8c";
    private const string D = "QF-dhqhrAVQzlEIwBh00UNN7TijTDI_i36Ap9KEGBEc";
    private const string Kid = "8PpnwL5kpVws53kZ2b00NDAY1Oy7TaApwYdKed--EXg";

    private const string BrowserSealedKey =
        "5NWJWfq1HmT_dIjQVz71MSLY-zW-sg3ejveIkvPFXTAgNayWGmMrtcsBvXTv8B4B-vkQ71KM4DgBXG7sdYvKKarsw1ef674WA5OArskjcPHMJUxdHAr3drfAPPX-iL0I0MbWRXspTjyJssJOsuyEe6eLdXVZP36oKfPUqESTffHfDMtV8HGG9teNcwqeL-CrNn79pCzX_TWdtR560CX1D2q7CS2yhF5Wa94RA1Kpm1LqosFlT6yh62C2VQoZJo0UobLw4RqNSU5RF1FT";

    private const string BrowserMessage =
        "eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTI1NkdDTSIsImtpZCI6IjhQcG53TDVrcFZ3czUza1oyYjAwTkRBWTFPeTdUYUFwd1lkS2VkLS1FWGciLCJjdHkiOiJhcHBsaWNhdGlvbi92bmQudGlwaW50YWtlLm1lc3NhZ2UudjEranNvbiIsImVwayI6eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2IiwieCI6InFZcm1fc3BXRGV0Q0NZTXZ6NkluRFhhVmNxRkh0d3VKR1hBbjRiQkt4bDgiLCJ5IjoiSWNFSl9tZ0VjVXlHdWNtcnBpQnBPT0hNczRoYWMzbVJ6b3puZFBMeG9scyJ9fQ..IVA7tOjzcrlvzy3G.ta6KT2JR2vLM3qPj5oJhEewYwzkB-f9oPFXa7udBVmKM7POgAw6pWrPh0c74JGZTfepPbJHB2IBYRpHJtVpojCQtr-JwU0aAZJovHw6z718Gv3l2mRYD30knn_rNdjaYmNCKiWmUCU4pyA5IOdbFNyg3nVj5PgkXzA.i0B7LR78f6IUnlt2Sa_4HA";

    [Fact]
    public void The_browsers_sealed_key_opens_with_the_codes_sealing_key_and_is_the_key_it_named()
    {
        using var key = SealedReporterKey.Open(Decode(BrowserSealedKey), SealingKey);

        Assert.NotNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        Assert.Equal(X, JoseBase64.Encode(parameters.Q.X));
        Assert.Equal(Y, JoseBase64.Encode(parameters.Q.Y));
        Assert.Equal(D, JoseBase64.Encode(parameters.D));
        Assert.Equal(SealedReporterKey.Length, Decode(BrowserSealedKey).Length);
    }

    [Fact]
    public void Another_sealing_key_or_a_changed_byte_opens_nothing()
    {
        var wrong = (byte[])SealingKey.Clone();
        wrong[^1] ^= 1;
        var tampered = Decode(BrowserSealedKey);
        tampered[20] ^= 0x80;

        Assert.Null(SealedReporterKey.Open(Decode(BrowserSealedKey), wrong));
        Assert.Null(SealedReporterKey.Open(tampered, SealingKey));
        Assert.Null(SealedReporterKey.Open(Decode(BrowserSealedKey).AsSpan()[..^1], SealingKey));
    }

    [Fact]
    public void A_key_sealed_here_opens_here_to_the_same_key_in_the_canonical_length()
    {
        using var original = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

        var sealedKey = SealedReporterKey.Seal(original, SealingKey);
        using var opened = SealedReporterKey.Open(sealedKey, SealingKey);

        Assert.Equal(SealedReporterKey.Length, sealedKey.Length);
        Assert.Equal(272, JoseBase64.Encode(sealedKey).Length);
        Assert.NotNull(opened);
        Assert.Equal(original.ExportParameters(true).D, opened.ExportParameters(true).D);
    }

    [Fact]
    public void The_thumbprint_is_the_kid_the_browser_put_in_its_message()
    {
        Assert.Equal(Kid, SealedReporterKey.ThumbprintOf(X, Y));
    }

    [Fact]
    public void A_message_the_browser_encrypted_to_the_reporter_decrypts_here()
    {
        using var key = SealedReporterKey.Open(Decode(BrowserSealedKey), SealingKey)!;

        var plaintext = ReporterMessageJwe.Decrypt(BrowserMessage, key);

        Assert.NotNull(plaintext);
        using var message = JsonDocument.Parse(plaintext);
        Assert.Equal("어느 시설입니까? Which facility?", message.RootElement.GetProperty("text").GetString());
        Assert.Equal("AAAAAAAAAAAAAAAAAAAAAA", message.RootElement.GetProperty("thread").GetString());
    }

    [Fact]
    public void A_message_encrypted_here_names_the_reporters_key_and_opens_only_with_it()
    {
        using var key = SealedReporterKey.Open(Decode(BrowserSealedKey), SealingKey)!;
        using var other = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var text = """{"v":1,"text":"답변 감사합니다","language":"ko","thread":"AAAAAAAAAAAAAAAAAAAAAA"}"""u8.ToArray();

        var jwe = ReporterMessageJwe.Encrypt(text, X, Y);

        using var header = JsonDocument.Parse(Decode(jwe.Split('.')[0]));
        Assert.Equal(Kid, header.RootElement.GetProperty("kid").GetString());
        Assert.Equal("ECDH-ES", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(ReporterMessageJwe.ContentType, header.RootElement.GetProperty("cty").GetString());
        Assert.Empty(jwe.Split('.')[1]);
        Assert.Equal(text, ReporterMessageJwe.Decrypt(jwe, key));
        Assert.Null(ReporterMessageJwe.Decrypt(jwe, other));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b.c.d")]
    [InlineData("a.b.c.d.e")]
    [InlineData("e30..AAAAAAAAAAAAAAAA.AA.AAAAAAAAAAAAAAAAAAAAAA")]
    public void Anything_else_is_not_a_message(string compactJwe)
    {
        using var key = SealedReporterKey.Open(Decode(BrowserSealedKey), SealingKey)!;

        Assert.Null(ReporterMessageJwe.Decrypt(compactJwe, key));
    }

    [Fact]
    public void A_message_whose_header_was_changed_or_whose_point_is_off_the_curve_is_refused()
    {
        using var key = SealedReporterKey.Open(Decode(BrowserSealedKey), SealingKey)!;
        var parts = BrowserMessage.Split('.');
        var header = Encoding.ASCII.GetString(Decode(parts[0]));
        var offCurve = header.Replace("\"y\":\"I", "\"y\":\"J", StringComparison.Ordinal);
        var otherType = header.Replace("message.v1", "message.v2", StringComparison.Ordinal);

        foreach (var changed in new[] { offCurve, otherType })
        {
            Assert.NotEqual(header, changed);
            var jwe = string.Join('.', [JoseBase64.Encode(Encoding.ASCII.GetBytes(changed)), .. parts[1..]]);
            Assert.Null(ReporterMessageJwe.Decrypt(jwe, key));
        }
    }

    private static byte[] Decode(string text) => JoseBase64.TryDecode(text, out var bytes) ? bytes : throw new FormatException();
}
