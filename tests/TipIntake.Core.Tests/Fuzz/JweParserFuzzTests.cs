using System.Text;
using System.Text.Json;
using CsCheck;
using TipIntake.Core.Jwe;
using TipIntake.Core;

namespace TipIntake.Core.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of <see cref="JweParser.TryParse"/>: it never throws, names a defined fault for anything that
/// is not a well-formed envelope, and parses every well-formed one with its segments intact.
/// </summary>
public sealed class JweParserFuzzTests
{
    private const int MaxLength = 48_640;
    private const string Base64UrlChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>Characters that break things: the alphabet, dots, padding, the other alphabet, spaces, controls, non-ASCII.</summary>
    private static readonly Gen<char> HostileChar = Gen.Frequency(
        (8, Gen.Char[Base64UrlChars]),
        (2, Gen.Const('.')),
        (1, Gen.Char["=+/ \t\r\n\0\"{}[]:,\\"]),
        (1, Gen.Char['\u0080', '\uFFFF']),
        (1, Gen.Char));

    private static readonly Gen<int> KeyLength = Gen.Int[0, 2].Select(i => 256 + (i * 128));

    private static readonly Gen<string> KeyId = Gen.String[Gen.Char['\u0020', '\u024F'], 1, JweParser.MaxKeyIdLength];

    /// <summary>A well-formed envelope: allowed members in any order, optional typ, both cty forms, valid segment sizes.</summary>
    private static readonly Gen<(string Compact, string Kid, byte[] Key, byte[] Iv, byte[] Ciphertext, byte[] Tag)> WellFormed =
        from kid in KeyId
        from typ in Gen.Bool
        from shortCty in Gen.Bool
        from order in Gen.Int.Array[5]
        from keyLength in KeyLength
        from key in Gen.Byte.Array[keyLength]
        from iv in Gen.Byte.Array[AesGcmSizes.IvLength]
        from ciphertext in Gen.Byte.Array[1, 2000]
        from tag in Gen.Byte.Array[AesGcmSizes.TagLength]
        let header = HeaderJson(kid, typ, shortCty, order)
        where Encoding.UTF8.GetByteCount(header) * 4 / 3 < JweParser.MaxHeaderLength
        select (string.Join('.', JoseBase64.Encode(Encoding.UTF8.GetBytes(header)), JoseBase64.Encode(key), JoseBase64.Encode(iv),
            JoseBase64.Encode(ciphertext), JoseBase64.Encode(tag)), kid, key, iv, ciphertext, tag);

    [Fact]
    public void Random_strings_never_throw_and_get_a_defined_fault() =>
        Gen.String[HostileChar, 0, 3000].Sample(compact => { AssertFaultOrValid(compact); }, iter: FuzzSettings.Iterations(20_000));

    [Fact]
    public void Random_segment_structures_are_refused_unless_exactly_five() =>
        Gen.OneOf(
                Gen.Const(""),
                Gen.Byte.Array[0, 600].Select(b => JoseBase64.Encode(b)),
                Gen.String[HostileChar, 0, 40])
            .List[0, 9]
            .Sample(
                segments =>
                {
                    var compact = string.Join('.', segments);
                    var parsed = AssertFaultOrValid(compact);
                    if (compact.Split('.').Length != 5)
                    {
                        Assert.False(parsed);
                    }
                },
                iter: FuzzSettings.Iterations(20_000));

    [Fact]
    public void Well_formed_envelopes_parse_and_round_trip_their_segments() =>
        WellFormed.Sample(
            w =>
            {
                Assert.True(JweParser.TryParse(w.Compact, MaxLength, out var jwe, out var fault), $"Refused with {fault}: {w.Compact}");
                var segments = w.Compact.Split('.');
                Assert.Equal(segments[0], jwe.EncodedProtectedHeader);
                Assert.Equal(w.Kid, jwe.Header.KeyId);
                Assert.Equal(JweAlgorithms.KeyWrap, jwe.Header.Algorithm);
                Assert.Equal(JweAlgorithms.ContentEncryption, jwe.Header.Encryption);
                Assert.Equal(w.Key, jwe.EncryptedKey);
                Assert.Equal(w.Iv, jwe.InitializationVector);
                Assert.Equal(w.Ciphertext, jwe.Ciphertext);
                Assert.Equal(w.Tag, jwe.AuthenticationTag);
                Assert.Equal(w.Compact, string.Join('.', jwe.EncodedProtectedHeader, JoseBase64.Encode(jwe.EncryptedKey),
                    JoseBase64.Encode(jwe.InitializationVector), JoseBase64.Encode(jwe.Ciphertext), JoseBase64.Encode(jwe.AuthenticationTag)));
            },
            iter: FuzzSettings.Iterations(5_000));

    [Fact]
    public void Mutations_of_well_formed_envelopes_never_throw() =>
        (from w in WellFormed
         from mutations in Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], HostileChar, Gen.Int[1, 40]).List[1, 4]
         select Mutate(w.Compact, mutations))
        .Sample(mutated => { AssertFaultOrValid(mutated); }, iter: FuzzSettings.Iterations(20_000));

    [Fact]
    public void Header_members_other_than_the_five_are_refused() =>
        (from name in Gen.String[Gen.Char['\u0020', '\u007E'], 0, 12]
         where name is not ("alg" or "enc" or "kid" or "cty" or "typ")
         from value in Gen.OneOf(Gen.String.Select(s => JsonSerializer.Serialize(s)), Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.Const("{}"), Gen.Const("null"))
         select TipIntake.Core.Tests.Jwe.JweFactory.ValidHeaderJson[..^1] + "," + JsonSerializer.Serialize(name) + ":" + value + "}")
        .Sample(
            header =>
            {
                var compact = string.Join('.', JoseBase64.Encode(Encoding.UTF8.GetBytes(header)), JoseBase64.Encode(new byte[384]),
                    JoseBase64.Encode(new byte[12]), "AAAA", JoseBase64.Encode(new byte[16]));
                Assert.False(JweParser.TryParse(compact, MaxLength, out _, out var fault));
                Assert.Contains(fault, new[] { JweFault.UnsupportedHeaderParameter, JweFault.HeaderNotJson });
            },
            iter: FuzzSettings.Iterations(5_000));

    /// <summary>Never throws; a refusal names a defined fault with a code and words; an acceptance is well-formed.</summary>
    private static bool AssertFaultOrValid(string compact)
    {
        if (JweParser.TryParse(compact, MaxLength, out var jwe, out var fault))
        {
            Assert.Equal(JweAlgorithms.KeyWrap, jwe.Header.Algorithm);
            Assert.Equal(JweAlgorithms.ContentEncryption, jwe.Header.Encryption);
            Assert.True(JweAlgorithms.IsTipV1ContentType(jwe.Header.ContentType));
            Assert.InRange(jwe.Header.KeyId.Length, 1, JweParser.MaxKeyIdLength);
            Assert.Equal(AesGcmSizes.IvLength, jwe.InitializationVector.Length);
            Assert.Equal(AesGcmSizes.TagLength, jwe.AuthenticationTag.Length);
            Assert.NotEmpty(jwe.Ciphertext);
            Assert.Contains(jwe.EncryptedKey.Length, new[] { 256, 384, 512 });
            Assert.Equal(5, compact.Split('.').Length);
            return true;
        }

        Assert.True(Enum.IsDefined(fault));
        Assert.False(string.IsNullOrEmpty(Codes.Of(fault)));
        return false;
    }

    private static string HeaderJson(string kid, bool typ, bool shortCty, int[] order)
    {
        var members = new List<(string Name, string Value)>
        {
            ("alg", JweAlgorithms.KeyWrap),
            ("enc", JweAlgorithms.ContentEncryption),
            ("kid", kid),
            ("cty", shortCty ? "vnd.tipintake.tip.v1+json" : JweAlgorithms.TipV1ContentType),
        };
        if (typ)
        {
            members.Add(("typ", "JWE"));
        }

        var ordered = members.Select((m, i) => (m, key: order[i])).OrderBy(p => p.key).Select(p => p.m);
        return "{" + string.Join(',', ordered.Select(m => JsonSerializer.Serialize(m.Name) + ":" + JsonSerializer.Serialize(m.Value))) + "}";
    }

    /// <summary>Replace, insert, delete, truncate, or repeat a run — at a position taken modulo the length.</summary>
    private static string Mutate(string compact, List<(int Kind, int Position, char Char, int Length)> mutations)
    {
        var text = new StringBuilder(compact);
        foreach (var (kind, position, c, length) in mutations)
        {
            var at = text.Length == 0 ? 0 : position % text.Length;
            switch (kind)
            {
                case 0 when text.Length > 0:
                    text[at] = c;
                    break;
                case 1:
                    text.Insert(at, new string(c, length));
                    break;
                case 2:
                    text.Remove(at, Math.Min(length, text.Length - at));
                    break;
                case 3:
                    text.Length = at;
                    break;
                default:
                    text.Insert(at, text.ToString(at, Math.Min(length, text.Length - at)));
                    break;
            }
        }

        return text.ToString();
    }
}
