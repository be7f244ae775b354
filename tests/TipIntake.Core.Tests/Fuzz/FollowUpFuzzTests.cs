using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Jwe;
using TipIntake.Core.Tests.FollowUp;

namespace TipIntake.Core.Tests.Fuzz;

/// <summary>
/// Follow-up's readers of untrusted input never throw: the lookup request (any bytes), a tip's <c>followUp</c> member
/// (random mutations of a valid one), and a typed code (any text). Whatever they accept is well-formed.
/// </summary>
public class FollowUpFuzzTests
{
    [Fact]
    public void The_lookup_request_reader_never_throws_and_accepts_only_32_bytes()
    {
        Gen.Byte.Array[0, 1_100].Sample(bytes => LookupMessages.ReadRequest(bytes) is null or { Length: 32 }, iter: FuzzSettings.Iterations(20_000));

        var alphabet = Gen.Char["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= "];
        Gen.String[alphabet, 40, 46].Sample(lookup =>
        {
            var read = LookupMessages.ReadRequest(Encoding.UTF8.GetBytes($$"""{"v":1,"lookup":"{{lookup}}"}"""));
            return read is null || JoseBase64.Encode(read) == lookup;
        }, iter: FuzzSettings.Iterations(20_000));
    }

    [Fact]
    public void A_mutated_follow_up_member_is_read_or_rejected_never_thrown_on()
    {
        string[] names = ["v", "lookup", "key", "sealedKey", "kty", "crv", "x", "y", "d", "extra"];
        var change = Gen.Select(Gen.Int[0, names.Length - 1], Gen.Int[0, 7], Gen.Bool, Gen.Byte.Array[0, 300]);
        change.Array[1, 4].Sample(changes =>
        {
            var member = FollowUpReaderTests.ValidMember();
            foreach (var (name, kind, inKey, bytes) in changes)
            {
                var target = inKey ? member["key"] as JsonObject ?? member : member;
                JsonNode? value = kind switch
                {
                    0 => null,
                    1 => JsonValue.Create(bytes.Length),
                    2 => JsonValue.Create(bytes.Length / 7.0),
                    3 => JsonValue.Create(Encoding.Latin1.GetString(bytes)),
                    4 => JsonValue.Create(JoseBase64.Encode(bytes)),
                    5 => new JsonArray(),
                    6 => new JsonObject(),
                    _ => JsonValue.Create("remove"),
                };
                if (kind == 7)
                {
                    target.Remove(names[name]);
                }
                else
                {
                    target[names[name]] = value;
                }
            }

            var read = FollowUpReader.Read(JsonDocument.Parse(member.ToJsonString()).RootElement);
            return read.Enrolment is null
                ? read.Rejection is not null
                : read.Rejection is null && read.Enrolment.Lookup.Length == 32 && read.Enrolment.SealedKey.Length == FollowUpSecrets.SealedKeyLength;
        }, iter: FuzzSettings.Iterations(5_000));
    }

    [Fact]
    public void Any_typed_text_parses_to_a_status_and_writes_V_only_when_valid()
    {
        Gen.String[0, 80].Sample(typed =>
        {
            var value = new byte[FollowUpCode.ValueBytes];
            var status = FollowUpCode.Parse(typed, value);
            return status == FollowUpCodeStatus.Valid
                ? FollowUpCode.FormatLetters(value).Replace("-", "", StringComparison.Ordinal) == FollowUpCode.Normalize(typed)
                    || FollowUpCode.FormatDigits(value).Replace(" ", "", StringComparison.Ordinal) == FollowUpCode.Normalize(typed)
                : value.All(b => b == 0);
        }, iter: FuzzSettings.Iterations(20_000));
    }
}
