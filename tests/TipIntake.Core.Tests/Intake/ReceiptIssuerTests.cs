using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TipIntake.Core.Intake;

namespace TipIntake.Core.Tests.Intake;

public class ReceiptIssuerTests
{
    private const string CrockfordGroup = "[0-9A-HJKMNP-TV-Z]{5}";

    private static ReceiptIssuer IssuerWithSalt(byte[] salt) =>
        new(Options.Create(new IntakeOptions { ReceiptSalt = Convert.ToBase64String(salt) }));

    private static readonly ReceiptIssuer Issuer = IssuerWithSalt(RandomNumberGenerator.GetBytes(16));

    private static readonly byte[] Payload = "eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.a.b.c.d"u8.ToArray();

    /// <summary>A receipt of a submission with a fresh id, as intake issues it for a client that sends none.</summary>
    private static Receipt Fresh(ReceiptIssuer? issuer = null) =>
        (issuer ?? Issuer).IdentityFor(SubmissionId.New(), SubmittedPayload.Jwe, Payload).Receipt;

    [Fact]
    public void Resend_of_the_same_payload_under_the_same_submission_id_gets_the_same_tip_id_and_receipt()
    {
        var submission = SubmissionId.New();

        var first = Issuer.IdentityFor(submission, SubmittedPayload.Jwe, Payload);
        var resend = Issuer.IdentityFor(submission, SubmittedPayload.Jwe, [.. Payload]);

        Assert.Equal(first, resend);
        Assert.Matches("^[0-9a-f]{32}\\z", first.TipId);
    }

    [Fact]
    public void Another_payload_another_submission_id_or_another_path_each_give_a_new_tip_id_and_receipt()
    {
        var submission = SubmissionId.New();
        var first = Issuer.IdentityFor(submission, SubmittedPayload.Jwe, Payload);
        var changed = Payload.ToArray();
        changed[^1] ^= 1;

        var others = new[]
        {
            Issuer.IdentityFor(submission, SubmittedPayload.Jwe, changed),
            Issuer.IdentityFor(SubmissionId.New(), SubmittedPayload.Jwe, Payload),
            Issuer.IdentityFor(submission, SubmittedPayload.Form, Payload),
            IssuerWithSalt(RandomNumberGenerator.GetBytes(16)).IdentityFor(submission, SubmittedPayload.Jwe, Payload),
        };

        foreach (var other in others)
        {
            Assert.NotEqual(first.TipId, other.TipId);
            Assert.NotEqual(first.Receipt.Code, other.Receipt.Code);
        }
    }

    [Fact]
    public void Receipt_is_four_groups_of_five_crockford_base32_characters()
    {
        for (var i = 0; i < 200; i++)
        {
            var receipt = Fresh();

            Assert.Matches($"^{CrockfordGroup}-{CrockfordGroup}-{CrockfordGroup}-{CrockfordGroup}\\z", receipt.Code);
            Assert.Equal(23, receipt.Code.Length);
            Assert.DoesNotContain(receipt.Code, c => c is 'I' or 'L' or 'O' or 'U');
        }
    }

    [Fact]
    public void Thousand_submissions_get_distinct_receipts()
    {
        var receipts = Enumerable.Range(0, 1000).Select(_ => Fresh()).ToList();

        Assert.Equal(1000, receipts.Select(r => r.Code).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(1000, receipts.Select(r => r.Hash).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Receipts_use_the_whole_alphabet_in_every_position()
    {
        // 100 random bits: over 2000 receipts every one of the 32 symbols turns up in each of the 20 positions
        // (a position stuck on a few symbols would mean lost entropy). Chance of a false failure is below 1e-20.
        var codes = Enumerable.Range(0, 2000).Select(_ => Fresh().Code.Replace("-", "", StringComparison.Ordinal)).ToList();

        for (var position = 0; position < 20; position++)
        {
            Assert.Equal(32, codes.Select(c => c[position]).Distinct().Count());
        }
    }

    [Fact]
    public void Hash_of_the_code_is_the_issued_hash_and_is_stable()
    {
        var receipt = Fresh();

        Assert.Equal(receipt.Hash, Issuer.HashOf(receipt.Code));
        Assert.Equal(receipt.Hash, Issuer.HashOf(receipt.Code));
        Assert.Equal(43, receipt.Hash.Length); // HMAC-SHA-256 in unpadded base64url
    }

    [Fact]
    public void Same_salt_gives_the_same_hash_in_another_issuer()
    {
        var salt = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(IssuerWithSalt(salt).HashOf("ABCDE-FGHJK-MNPQR-STVWX"), IssuerWithSalt(salt).HashOf("ABCDE-FGHJK-MNPQR-STVWX"));
    }

    [Fact]
    public void Hash_is_insensitive_to_case_dashes_and_spaces()
    {
        var receipt = Fresh();
        var compact = receipt.Code.Replace("-", "", StringComparison.Ordinal);

        Assert.Equal(receipt.Hash, Issuer.HashOf(receipt.Code.ToLowerInvariant()));
        Assert.Equal(receipt.Hash, Issuer.HashOf(compact));
        Assert.Equal(receipt.Hash, Issuer.HashOf(compact.ToLowerInvariant()));
        Assert.Equal(receipt.Hash, Issuer.HashOf(receipt.Code.Replace("-", " ", StringComparison.Ordinal)));
        Assert.Equal(receipt.Hash, Issuer.HashOf(" " + receipt.Code + " "));
    }

    [Fact]
    public void Different_codes_have_different_hashes()
    {
        Assert.NotEqual(Issuer.HashOf("00000-00000-00000-00000"), Issuer.HashOf("00000-00000-00000-00001"));
    }

    [Fact]
    public void Hash_differs_with_a_different_salt()
    {
        var other = IssuerWithSalt(RandomNumberGenerator.GetBytes(16));
        var receipt = Fresh();

        Assert.NotEqual(receipt.Hash, other.HashOf(receipt.Code));
    }

    [Fact]
    public void Hash_does_not_contain_the_code()
    {
        for (var i = 0; i < 100; i++)
        {
            var receipt = Fresh();
            var compact = receipt.Code.Replace("-", "", StringComparison.Ordinal);

            Assert.DoesNotContain(compact, receipt.Hash, StringComparison.OrdinalIgnoreCase);
            foreach (var group in receipt.Code.Split('-'))
            {
                Assert.DoesNotContain(group, receipt.Hash, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Salt_that_is_not_base64_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() =>
            new ReceiptIssuer(Options.Create(new IntakeOptions { ReceiptSalt = "not base64!" })));
    }

    [Theory]
    [InlineData(15, false)]
    [InlineData(16, true)]
    [InlineData(64, true)]
    public void Salt_must_be_at_least_sixteen_bytes(int length, bool valid)
    {
        var options = new IntakeOptions { ReceiptSalt = Convert.ToBase64String(new byte[length]) };
        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Equal(valid, results.Count == 0);
    }
}
