using System.Text;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core;

namespace TipIntake.Core.Tests.Jwe;

public class JweParserTests
{
    private const int MaxLength = TipEnvelope.MaxJweLength;

    private static JweFault ParseFault(string compact)
    {
        Assert.False(JweParser.TryParse(compact, MaxLength, out var jwe, out var fault));
        Assert.Null(jwe);
        return fault;
    }

    private static string HeaderWith(string members) =>
        JweFactory.WithHeader("{" + members + "}");

    private const string Alg = "\"alg\":\"RSA-OAEP-256\"";
    private const string Enc = "\"enc\":\"A256GCM\"";
    private const string Kid = "\"kid\":\"" + JweFactory.KeyId + "\"";
    private const string Cty = "\"cty\":\"application/vnd.tipintake.tip.v1+json\"";

    [Fact]
    public void Well_formed_jwe_is_accepted_with_its_parts()
    {
        var built = JweFactory.Build();
        var segments = built.Segments;

        Assert.True(JweParser.TryParse(built.Compact, MaxLength, out var jwe, out _));

        Assert.Equal(segments[0], jwe.EncodedProtectedHeader);
        Assert.Equal(new JweHeader("RSA-OAEP-256", "A256GCM", JweFactory.KeyId, JweAlgorithms.TipV1ContentType), jwe.Header);
        Assert.Equal(384, jwe.EncryptedKey.Length);
        Assert.Equal(12, jwe.InitializationVector.Length);
        Assert.Equal(16, jwe.AuthenticationTag.Length);
        Assert.Equal(built.Plaintext.Length, jwe.Ciphertext.Length);
        Assert.Equal(segments[3], JoseBase64.Encode(jwe.Ciphertext));
    }

    [Fact]
    public void Well_formed_jwe_round_trips_through_parser_and_decryptor()
    {
        var built = JweFactory.Build();
        Assert.True(JweParser.TryParse(built.Compact, MaxLength, out var jwe, out _));

        var contentKey = JweFactory.Key.Decrypt(jwe.EncryptedKey, System.Security.Cryptography.RSAEncryptionPadding.OaepSHA256);

        Assert.Equal(built.ContentKey, contentKey);
        Assert.True(JweDecryptor.TryDecrypt(jwe, contentKey, out var plaintext));
        Assert.Equal(built.Plaintext, plaintext);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(384)]
    [InlineData(512)]
    public void Encrypted_key_of_an_rsa_modulus_length_is_accepted(int length)
    {
        Assert.True(JweParser.TryParse(JweFactory.WithSegment(1, JweFactory.Random(length)), MaxLength, out _, out _));
    }

    [Fact]
    public void Cty_without_application_prefix_is_accepted()
    {
        // RFC 7515 §4.1.10: "application/" may be omitted from cty.
        var compact = HeaderWith($"{Alg},{Enc},{Kid},\"cty\":\"vnd.tipintake.tip.v1+json\"");

        Assert.True(JweParser.TryParse(compact, MaxLength, out var jwe, out _));
        Assert.Equal("vnd.tipintake.tip.v1+json", jwe.Header.ContentType);
    }

    [Fact]
    public void Typ_member_is_accepted()
    {
        Assert.True(JweParser.TryParse(HeaderWith($"{Alg},{Enc},{Kid},{Cty},\"typ\":\"JOSE\""), MaxLength, out _, out _));
    }

    [Fact]
    public void Header_members_in_any_order_with_whitespace_are_accepted()
    {
        Assert.True(JweParser.TryParse(JweFactory.WithHeader($"{{ {Cty} , {Kid},\n{Enc}, {Alg} }}"), MaxLength, out _, out _));
    }

    [Fact]
    public void Empty_input_is_refused_as_empty()
    {
        Assert.Equal(JweFault.EmptyBody, ParseFault(""));
    }

    [Fact]
    public void Input_longer_than_the_limit_is_refused_as_too_long()
    {
        var compact = JweFactory.Build().Compact;

        Assert.True(JweParser.TryParse(compact, compact.Length, out _, out _));
        Assert.False(JweParser.TryParse(compact, compact.Length - 1, out _, out var fault));
        Assert.Equal(JweFault.TooLarge, fault);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(1)]
    public void Wrong_number_of_segments_is_refused(int count)
    {
        var segments = JweFactory.Build().Segments.ToList();
        while (segments.Count < count)
        {
            segments.Add(JweFactory.Random(16));
        }

        var compact = string.Join('.', segments.Take(count));

        Assert.Equal(JweFault.NotCompactJwe, ParseFault(compact));
    }

    [Fact]
    public void Empty_header_segment_is_refused_as_not_compact()
    {
        Assert.Equal(JweFault.NotCompactJwe, ParseFault(JweFactory.WithSegment(0, "")));
    }

    [Theory]
    [InlineData(1, '+')]
    [InlineData(2, '/')]
    [InlineData(3, '*')]
    [InlineData(4, ' ')]
    [InlineData(0, '\n')]
    [InlineData(3, 'é')]
    public void Non_base64url_character_in_a_segment_is_refused(int index, char bad)
    {
        var segments = JweFactory.Build().Segments;
        var segment = segments[index].ToCharArray();
        segment[segment.Length / 2] = bad;
        segments[index] = new string(segment);

        Assert.Equal(JweFault.InvalidBase64url, ParseFault(string.Join('.', segments)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void Padded_segment_is_refused(int index)
    {
        // 12 and 16 bytes need no padding, so a 13- and 17-byte value padded with '=' stands in for them.
        var segments = JweFactory.Build().Segments;
        segments[index] = Convert.ToBase64String(new byte[index == 2 ? 13 : 17]).Replace('+', '-').Replace('/', '_');
        Assert.EndsWith("=", segments[index], StringComparison.Ordinal);

        Assert.Equal(JweFault.InvalidBase64url, ParseFault(string.Join('.', segments)));
    }

    [Fact]
    public void Segment_whose_length_cannot_be_base64_is_refused()
    {
        Assert.Equal(JweFault.InvalidBase64url, ParseFault(JweFactory.WithSegment(3, "AAAAA")));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[\"alg\",\"RSA-OAEP-256\"]")]
    [InlineData("\"RSA-OAEP-256\"")]
    [InlineData("42")]
    [InlineData("{\"alg\":\"RSA-OAEP-256\"")]
    [InlineData("{\"alg\":\"RSA-OAEP-256\",}")]
    [InlineData("{\"alg\":\"RSA-OAEP-256\" /* comment */}")]
    public void Header_that_is_not_a_json_object_is_refused(string headerJson)
    {
        Assert.Equal(JweFault.HeaderNotJson, ParseFault(JweFactory.WithHeader(headerJson)));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData(" x")]
    [InlineData("\"extra\"")]
    public void Header_with_trailing_data_is_refused(string trailing)
    {
        Assert.Equal(JweFault.HeaderNotJson, ParseFault(JweFactory.WithHeader(JweFactory.ValidHeaderJson + trailing)));
    }

    [Fact]
    public void Header_that_is_not_utf8_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes(JweFactory.ValidHeaderJson.Replace("A256GCM", "A256GCM__", StringComparison.Ordinal));
        var at = Array.IndexOf(bytes, (byte)'_');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;

        Assert.Equal(JweFault.HeaderNotJson, ParseFault(JweFactory.WithHeaderBytes(bytes)));
    }

    [Fact]
    public void Header_longer_than_its_limit_is_refused()
    {
        var header = JweFactory.ValidHeaderJson.TrimEnd('}') + ",\"typ\":\"" + new string('x', JweParser.MaxHeaderLength) + "\"}";

        Assert.Equal(JweFault.HeaderNotJson, ParseFault(JweFactory.WithHeader(header)));
    }

    [Theory]
    [InlineData("alg")]
    [InlineData("enc")]
    [InlineData("kid")]
    [InlineData("cty")]
    public void Header_missing_a_required_member_is_refused(string missing)
    {
        var members = new Dictionary<string, string> { ["alg"] = Alg, ["enc"] = Enc, ["kid"] = Kid, ["cty"] = Cty };
        members.Remove(missing);

        Assert.Equal(JweFault.HeaderMemberMissing, ParseFault(HeaderWith(string.Join(',', members.Values))));
    }

    [Theory]
    [InlineData("\"kid\":42")]
    [InlineData("\"kid\":null")]
    [InlineData("\"kid\":true")]
    [InlineData("\"kid\":[\"x\"]")]
    [InlineData("\"kid\":{\"x\":\"y\"}")]
    [InlineData("\"typ\":1")]
    public void Header_member_that_is_not_a_string_is_refused(string member)
    {
        Assert.Equal(JweFault.HeaderMemberNotString, ParseFault(HeaderWith($"{Alg},{Enc},{Cty},{member}")));
    }

    [Theory]
    [InlineData(Alg)]
    [InlineData(Enc)]
    [InlineData(Kid)]
    [InlineData("\"alg\":\"RSA1_5\"")]
    public void Header_member_given_twice_is_refused(string duplicate)
    {
        Assert.Equal(JweFault.HeaderMemberDuplicated, ParseFault(HeaderWith($"{Alg},{Enc},{Kid},{Cty},{duplicate}")));
    }

    [Theory]
    [InlineData("\"zip\":\"DEF\"")]
    [InlineData("\"crit\":[\"exp\"]")]
    [InlineData("\"jku\":\"https://attacker.example/jwks\"")]
    [InlineData("\"jwk\":{\"kty\":\"RSA\"}")]
    [InlineData("\"x5u\":\"https://attacker.example/cert\"")]
    [InlineData("\"ALG\":\"RSA-OAEP-256\"")]
    public void Header_parameter_outside_the_allowed_set_is_refused(string member)
    {
        Assert.Equal(JweFault.UnsupportedHeaderParameter, ParseFault(HeaderWith($"{Alg},{Enc},{Kid},{Cty},{member}")));
    }

    [Theory]
    [InlineData("RSA-OAEP")]
    [InlineData("RSA1_5")]
    [InlineData("dir")]
    [InlineData("rsa-oaep-256")]
    [InlineData("none")]
    [InlineData("")]
    public void Algorithm_other_than_rsa_oaep_256_is_refused(string alg)
    {
        Assert.Equal(JweFault.UnsupportedAlg, ParseFault(HeaderWith($"\"alg\":\"{alg}\",{Enc},{Kid},{Cty}")));
    }

    [Theory]
    [InlineData("A128GCM")]
    [InlineData("A192GCM")]
    [InlineData("A256CBC-HS512")]
    [InlineData("A128CBC-HS256")]
    [InlineData("a256gcm")]
    public void Encryption_other_than_a256gcm_is_refused(string enc)
    {
        Assert.Equal(JweFault.UnsupportedEnc, ParseFault(HeaderWith($"{Alg},\"enc\":\"{enc}\",{Kid},{Cty}")));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("JWT")]
    [InlineData("application/vnd.tipintake.tip.v2+json")]
    [InlineData("text/vnd.tipintake.tip.v1+json")]
    [InlineData("application/application/vnd.tipintake.tip.v1+json")]
    [InlineData("")]
    public void Content_type_other_than_tip_v1_is_refused(string cty)
    {
        Assert.Equal(JweFault.UnsupportedCty, ParseFault(HeaderWith($"{Alg},{Enc},{Kid},\"cty\":\"{cty}\"")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    [InlineData(JweParser.MaxKeyIdLength + 1)]
    public void Key_id_empty_or_too_long_is_refused(int length)
    {
        Assert.Equal(JweFault.UnsupportedKid, ParseFault(HeaderWith($"{Alg},{Enc},\"kid\":\"{new string('k', length)}\",{Cty}")));
    }

    [Fact]
    public void Key_id_of_the_maximum_length_is_accepted()
    {
        var compact = HeaderWith($"{Alg},{Enc},\"kid\":\"{new string('k', JweParser.MaxKeyIdLength)}\",{Cty}");

        Assert.True(JweParser.TryParse(compact, MaxLength, out _, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(255)]
    [InlineData(257)]
    [InlineData(383)]
    [InlineData(385)]
    [InlineData(1024)]
    public void Encrypted_key_of_another_length_is_refused(int length)
    {
        var segment = length == 0 ? "" : JweFactory.Random(length);

        Assert.Equal(JweFault.InvalidEncryptedKey, ParseFault(JweFactory.WithSegment(1, segment)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(16)]
    public void Iv_not_twelve_bytes_is_refused(int length)
    {
        var segment = length == 0 ? "" : JweFactory.Random(length);

        Assert.Equal(JweFault.InvalidIv, ParseFault(JweFactory.WithSegment(2, segment)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(12)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(32)]
    public void Tag_not_sixteen_bytes_is_refused(int length)
    {
        var segment = length == 0 ? "" : JweFactory.Random(length);

        Assert.Equal(JweFault.InvalidTag, ParseFault(JweFactory.WithSegment(4, segment)));
    }

    [Fact]
    public void Empty_ciphertext_is_refused()
    {
        Assert.Equal(JweFault.EmptyCiphertext, ParseFault(JweFactory.WithSegment(3, "")));
    }

    [Fact]
    public void Rfc7516_a1_example_is_refused_for_its_algorithm()
    {
        // Well-formed, but alg RSA-OAEP (SHA-1) and no kid or cty: the header check names the missing members first.
        Assert.Equal(JweFault.HeaderMemberMissing, ParseFault(Rfc7516A1.Compact));
    }

    [Theory]
    [InlineData(JweFault.EmptyBody, JweFaultKind.Malformed)]
    [InlineData(JweFault.TooLarge, JweFaultKind.TooLarge)]
    [InlineData(JweFault.NotCompactJwe, JweFaultKind.Malformed)]
    [InlineData(JweFault.InvalidBase64url, JweFaultKind.Malformed)]
    [InlineData(JweFault.HeaderNotJson, JweFaultKind.Malformed)]
    [InlineData(JweFault.HeaderMemberMissing, JweFaultKind.Malformed)]
    [InlineData(JweFault.HeaderMemberNotString, JweFaultKind.Malformed)]
    [InlineData(JweFault.HeaderMemberDuplicated, JweFaultKind.Malformed)]
    [InlineData(JweFault.UnsupportedHeaderParameter, JweFaultKind.Unsupported)]
    [InlineData(JweFault.UnsupportedAlg, JweFaultKind.Unsupported)]
    [InlineData(JweFault.UnsupportedEnc, JweFaultKind.Unsupported)]
    [InlineData(JweFault.UnsupportedCty, JweFaultKind.Unsupported)]
    [InlineData(JweFault.UnsupportedKid, JweFaultKind.Unsupported)]
    [InlineData(JweFault.InvalidEncryptedKey, JweFaultKind.Malformed)]
    [InlineData(JweFault.InvalidIv, JweFaultKind.Malformed)]
    [InlineData(JweFault.InvalidTag, JweFaultKind.Malformed)]
    [InlineData(JweFault.EmptyCiphertext, JweFaultKind.Malformed)]
    public void Fault_kind_maps_to_the_designed_status(JweFault fault, JweFaultKind kind)
    {
        Assert.Equal(kind, JweFaults.KindOf(fault));
    }

    [Fact]
    public void Every_fault_has_a_distinct_kebab_case_code()
    {
        var faults = Enum.GetValues<JweFault>();
        var codes = faults.Select(Codes.Of).ToList();

        Assert.Equal(faults.Length, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)*$", code));
    }
}
