using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Jwe;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Tests.FollowUp;

public class FollowUpReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A valid <c>followUp</c> member: a fresh P-256 key, a random <c>L</c> and random sealed bytes.</summary>
    public static JsonObject ValidMember()
    {
        using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = ecdh.ExportParameters(false).Q;
        return new JsonObject
        {
            ["v"] = 1,
            ["lookup"] = JoseBase64.Encode(RandomNumberGenerator.GetBytes(32)),
            ["key"] = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = JoseBase64.Encode(q.X), ["y"] = JoseBase64.Encode(q.Y) },
            ["sealedKey"] = JoseBase64.Encode(RandomNumberGenerator.GetBytes(204)),
        };
    }

    private static TipReadResult ReadTip(JsonNode? followUp)
    {
        var tip = new JsonObject { ["category"] = "detention", ["narrative"] = "Held at the border post.", ["urgency"] = "soon", ["followUp"] = followUp };
        return TipReader.Read(Encoding.UTF8.GetBytes(tip.ToJsonString()), Now);
    }

    [Fact]
    public void A_valid_member_is_an_enrolment_with_the_keys_thumbprint()
    {
        var member = ValidMember();
        var read = ReadTip(member);

        Assert.True(read.IsValid);
        var enrolment = Assert.IsType<FollowUpEnrolment>(read.FollowUp.Enrolment);
        Assert.Null(read.FollowUp.Rejection);
        Assert.Equal(member["lookup"]!.GetValue<string>(), JoseBase64.Encode(enrolment.Lookup.Span));
        Assert.Equal(member["sealedKey"]!.GetValue<string>(), enrolment.SealedKey);
        Assert.Equal(member["key"]!["x"]!.GetValue<string>(), enrolment.Key.X);

        // RFC 7638: the thumbprint .NET's own JWK export would give.
        var jwk = $$"""{"crv":"P-256","kty":"EC","x":"{{enrolment.Key.X}}","y":"{{enrolment.Key.Y}}"}""";
        Assert.Equal(JoseBase64.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(jwk))), enrolment.Key.Thumbprint);
    }

    [Fact]
    public void A_tip_without_the_member_or_with_null_has_no_follow_up()
    {
        var read = TipReader.Read("""{"category":"detention","narrative":"n","urgency":"soon"}"""u8, Now);
        Assert.True(read.IsValid);
        Assert.Equal(FollowUpRead.Absent, read.FollowUp);
        Assert.Equal(FollowUpRead.Absent, ReadTip(null).FollowUp);
    }

    [Fact]
    public void A_member_named_twice_refuses_the_tip_as_any_duplicate_does()
    {
        var read = TipReader.Read(Encoding.UTF8.GetBytes(
            """{"category":"detention","narrative":"n","urgency":"soon","followUp":{"v":1,"v":1}}"""), Now);
        Assert.False(read.IsValid);
        Assert.Equal("duplicate-field", Assert.Single(read.Errors).Code);
    }

    public static TheoryData<string, string> BadMembers() => new()
    {
        { "not-an-object", "\"x\"" },
        { "not-an-object", "[]" },
        { "unknown-member", "+extra=1" },
        { "unknown-member", "key+d=AAAA" },
        { "missing-member", "-sealedKey" },
        { "missing-member", "-v" },
        { "missing-member", "key-y" },
        { "unsupported-version", "v=2" },
        { "unsupported-version", "v=\"1\"" },
        { "unsupported-version", "v=1.0" },
        { "lookup-invalid", "lookup=" + new string('A', 42) },
        { "lookup-invalid", "lookup=" + new string('A', 44) },
        { "lookup-invalid", "lookup=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB" }, // non-canonical: the last symbol's low bits set
        { "lookup-invalid", "lookup=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
        { "lookup-invalid", "lookup=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+" },
        { "lookup-invalid", "lookup=7" },
        { "key-invalid", "key=\"EC\"" },
        { "key-invalid", "key.kty=RSA" },
        { "key-invalid", "key.crv=P-384" },
        { "key-invalid", "key.x=" + new string('A', 42) },
        { "key-invalid", "key.y=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB" },
        { "key-not-on-curve", "key.y=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        { "sealed-key-invalid", "sealedKey=" + new string('A', 271) },
        { "sealed-key-invalid", "sealedKey=" + new string('A', 273) },
        { "sealed-key-invalid", "sealedKey=" + new string('A', 271) + "=" },
        { "sealed-key-invalid", "sealedKey=5" },
    };

    [Theory]
    [MemberData(nameof(BadMembers))]
    public void A_bad_member_is_rejected_with_its_code_and_never_refuses_the_tip(string code, string change)
    {
        var read = ReadTip(Apply(ValidMember(), change));

        Assert.True(read.IsValid, string.Join("; ", read.Errors));
        Assert.Null(read.FollowUp.Enrolment);
        Assert.Equal(code, Codes.Of(read.FollowUp.Rejection!.Value));
        Assert.Equal("rejected:" + code, FollowUpStates.Rejected(read.FollowUp.Rejection.Value));
    }

    /// <summary>"+name=value" adds, "-name" removes, "name=value" sets (JSON if it parses, else a string), "key.name" inside the key; a literal replaces all.</summary>
    private static JsonNode? Apply(JsonObject member, string change)
    {
        if (change[0] is '"' or '[' or 'n')
        {
            return JsonNode.Parse(change);
        }

        var target = member;
        var text = change;
        if (change.StartsWith("key", StringComparison.Ordinal) && change.Length > 3 && change[3] is '.' or '+' or '-')
        {
            target = member["key"]!.AsObject();
            text = change[3] == '.' ? change[4..] : change[3..];
        }

        if (text[0] == '-')
        {
            target.Remove(text[1..]);
            return member;
        }

        var (name, value) = (text.TrimStart('+').Split('=', 2)[0], text.Split('=', 2)[1]);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(value);
        }
        catch (JsonException)
        {
            node = JsonValue.Create(value);
        }

        target[name] = node;
        return member;
    }

    [Fact]
    public void A_key_given_as_text_is_refused_as_key_invalid()
    {
        var member = ValidMember();
        member["key"] = "EC";
        Assert.Equal(FollowUpRejection.KeyInvalid, ReadTip(member).FollowUp.Rejection);
    }
}
