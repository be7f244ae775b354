using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.FollowUp;

/// <summary>The no-script path's enrolment (docs/follow-up.md, "Who makes it, and the submission id"). Each enrolment runs the real KDF.</summary>
public sealed class FormEnrolmentsTests
{
    private static readonly byte[] Pepper = RandomNumberGenerator.GetBytes(32);
    private static readonly FollowUpSecrets Secrets = SecretsWith(Pepper);
    private readonly FormEnrolments _enrolments = new(Secrets);

    private static FollowUpSecrets SecretsWith(byte[] pepper) =>
        new(Options.Create(new IntakeOptions { ReceiptPepper = Convert.ToBase64String(pepper) }));

    [Fact]
    public void The_same_submission_id_gives_the_same_code_and_the_very_same_member()
    {
        var submission = SubmissionId.New();

        using var first = _enrolments.Enrol(submission);
        using var again = _enrolments.Enrol(submission);

        Assert.Equal(first.Code, again.Code);
        Assert.True(first.Member.Span.SequenceEqual(again.Member.Span), "A resent page must make the same plaintext, so the same tip.");
    }

    [Fact]
    public void Different_submission_ids_or_another_pepper_give_different_codes_and_keys()
    {
        var submission = SubmissionId.New();

        using var one = _enrolments.Enrol(submission);
        using var other = _enrolments.Enrol(SubmissionId.New());
        using var otherPepper = new FormEnrolments(SecretsWith(RandomNumberGenerator.GetBytes(32))).Enrol(submission);

        Assert.NotEqual(one.Code.Letters, other.Code.Letters);
        Assert.NotEqual(one.Code.Digits, other.Code.Digits);
        Assert.NotEqual(one.Code.Letters, otherPepper.Code.Letters);
        Assert.NotEqual(KeyOf(one).GetProperty("x").GetString(), KeyOf(other).GetProperty("x").GetString());
        Assert.NotEqual(KeyOf(one).GetProperty("x").GetString(), KeyOf(otherPepper).GetProperty("x").GetString());
    }

    [Fact]
    public void The_code_is_the_low_90_bits_of_the_peppered_HMAC_of_the_submission_id_in_both_forms()
    {
        var submission = SubmissionId.New();
        var id = new byte[SubmissionId.ByteLength];
        submission.WriteTo(id);
        byte[] message = [.. "tipintake/form-follow-up/v1"u8, .. id];
        var mac = HMACSHA256.HashData(Pepper, message);
        var expected = new BigInteger(mac, isUnsigned: true, isBigEndian: true) & ((BigInteger.One << 90) - 1);

        using var enrolment = _enrolments.Enrol(submission);

        var fromLetters = new byte[FollowUpCode.ValueBytes];
        var fromDigits = new byte[FollowUpCode.ValueBytes];
        Assert.Equal(FollowUpCodeStatus.Valid, FollowUpCode.Parse(enrolment.Code.Letters, fromLetters));
        Assert.Equal(FollowUpCodeStatus.Valid, FollowUpCode.Parse(enrolment.Code.Digits, fromDigits));
        Assert.Equal(fromLetters, fromDigits);
        Assert.Equal(expected, new BigInteger(fromLetters, isUnsigned: true, isBigEndian: true));
        Assert.True(fromLetters[0] < 4, "V < 2^90: the top 6 bits of its 12 bytes are zero.");
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", enrolment.Code.Letters);
        Assert.Matches("^[0-9]{4}( [0-9]{4}){7}$", enrolment.Code.Digits);
    }

    [Fact]
    public void A_seed_of_all_ones_still_gives_a_value_below_2_to_the_90()
    {
        var value = new byte[FollowUpCode.ValueBytes];

        FormEnrolments.ValueOf(Enumerable.Repeat((byte)0xFF, HMACSHA256.HashSizeInBytes).ToArray(), value);

        Assert.Equal((BigInteger.One << 90) - 1, new BigInteger(value, isUnsigned: true, isBigEndian: true));
        Assert.Equal(20, FollowUpCode.Normalize(FollowUpCode.FormatLetters(value)).Length);
    }

    [Fact]
    public void The_member_is_the_scripts_member_the_reader_takes_and_the_code_opens()
    {
        using var enrolment = _enrolments.Enrol(SubmissionId.New());
        using var member = JsonDocument.Parse(enrolment.Member);

        // The members, in the order the script writes them (follow-up-keys.js, enrolFollowUp).
        Assert.Equal(["v", "lookup", "key", "sealedKey"], member.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["kty", "crv", "x", "y"], KeyOf(enrolment).EnumerateObject().Select(p => p.Name));
        var read = FollowUpReader.Read(member.RootElement);
        Assert.Null(read.Rejection);
        var enrolled = read.Enrolment!;

        // What a client does with the code it was shown: V → M → L (the lookup sent) and W (opens the sealed key).
        var value = new byte[FollowUpCode.ValueBytes];
        Assert.Equal(FollowUpCodeStatus.Valid, FollowUpCode.Parse(enrolment.Code.Digits.Replace(" ", "", StringComparison.Ordinal), value));
        var master = new byte[32];
        var lookup = new byte[32];
        var sealing = new byte[32];
        FollowUpKeys.DeriveMaster(value, master);
        FollowUpKeys.DeriveLookup(master, lookup);
        FollowUpKeys.DeriveSealingKey(master, sealing);
        Assert.Equal(lookup, enrolled.Lookup.ToArray());
        Assert.True(JoseBase64.TryDecode(enrolled.SealedKey, out var sealedKey));
        using var opened = SealedReporterKey.Open(sealedKey, sealing);
        Assert.NotNull(opened);
        var point = opened.ExportParameters(includePrivateParameters: false).Q;
        Assert.Equal(enrolled.Key, new ReporterPublicKey(JoseBase64.Encode(point.X), JoseBase64.Encode(point.Y)));

        sealing[0] ^= 1;
        Assert.Null(SealedReporterKey.Open(sealedKey, sealing));
    }

    [Fact]
    public void Neither_the_code_nor_the_member_is_printed_by_its_holder()
    {
        using var enrolment = _enrolments.Enrol(SubmissionId.New());
        var digits = enrolment.Code.Digits;
        var accepted = new FormIntakeResult.Accepted("ABCDE-FGHJK-MNPQR-STVWX", enrolment.Code);

        Assert.DoesNotContain(enrolment.Code.Letters, enrolment.Code.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(digits, enrolment.Code.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(enrolment.Code.Letters, accepted.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ABCDE", accepted.ToString(), StringComparison.Ordinal);

        enrolment.Dispose();
        Assert.True(enrolment.Member.Span.IndexOfAnyExcept((byte)0) < 0, "Disposing wipes the member.");
    }

    private static JsonElement KeyOf(FormEnrolment enrolment) =>
        JsonDocument.Parse(Encoding.ASCII.GetString(enrolment.Member.Span)).RootElement.GetProperty("key");
}
