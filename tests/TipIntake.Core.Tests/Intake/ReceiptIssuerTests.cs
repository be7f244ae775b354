using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.Tests.Intake;

public class ReceiptIssuerTests
{
    private const string CrockfordGroup = "[0-9A-HJKMNP-TV-Z]{5}";

    private static ReceiptIssuer IssuerWithPepper(byte[] pepper, byte[]? legacySalt = null) =>
        new(Options.Create(new IntakeOptions
        {
            ReceiptPepper = Convert.ToBase64String(pepper),
            ReceiptSalt = legacySalt is null ? null : Convert.ToBase64String(legacySalt),
        }));

    private static readonly ReceiptIssuer Issuer = IssuerWithPepper(RandomNumberGenerator.GetBytes(32));

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
            IssuerWithPepper(RandomNumberGenerator.GetBytes(32)).IdentityFor(submission, SubmittedPayload.Jwe, Payload),
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
        Assert.Equal(45, receipt.Hash.Length); // "2." and HMAC-SHA-256 in unpadded base64url
    }

    [Fact]
    public void Same_pepper_gives_the_same_hash_in_another_issuer()
    {
        var salt = RandomNumberGenerator.GetBytes(32);

        Assert.Equal(IssuerWithPepper(salt).HashOf("ABCDE-FGHJK-MNPQR-STVWX"), IssuerWithPepper(salt).HashOf("ABCDE-FGHJK-MNPQR-STVWX"));
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
    public void Hash_differs_with_a_different_pepper()
    {
        var other = IssuerWithPepper(RandomNumberGenerator.GetBytes(32));
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
    public void Pepper_that_is_not_base64_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() =>
            new ReceiptIssuer(Options.Create(new IntakeOptions { ReceiptPepper = "not base64!" })));
    }

    [Theory]
    [InlineData(31, null, false)]
    [InlineData(32, null, true)]
    [InlineData(64, null, true)]
    [InlineData(32, 15, false)]
    [InlineData(32, 16, true)]
    [InlineData(0, 16, false)]
    public void Pepper_must_be_at_least_32_bytes_and_a_legacy_salt_if_given_16(int pepper, int? salt, bool valid)
    {
        var options = new IntakeOptions
        {
            ReceiptPepper = pepper == 0 ? "" : Convert.ToBase64String(new byte[pepper]),
            ReceiptSalt = salt is null ? null : Convert.ToBase64String(new byte[salt.Value]),
        };
        var results = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Equal(valid, results.Count == 0);
    }

    [Fact]
    public void Stored_hash_is_keyed_by_the_pepper_and_marked_so_not_computable_from_public_values()
    {
        var pepper = RandomNumberGenerator.GetBytes(32);
        var receipt = Fresh(IssuerWithPepper(pepper));
        var normalized = System.Text.Encoding.ASCII.GetBytes(receipt.Code.Replace("-", "", StringComparison.Ordinal));

        Assert.StartsWith(ReceiptIssuer.PepperedPrefix, receipt.Hash, StringComparison.Ordinal);
        Assert.Equal(receipt.Hash, IssuerWithPepper(pepper).HashOf(receipt.Code));
        // Not the first format's HMAC under the same bytes used as a salt: the pepper's hash carries its own label.
        Assert.NotEqual(receipt.Hash[ReceiptIssuer.PepperedPrefix.Length..], JoseBase64.Encode(HMACSHA256.HashData(pepper, normalized)));
    }

    [Fact]
    public void Receipts_hashed_under_the_old_salt_still_verify_while_the_salt_is_configured()
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        const string Code = "K7Q2M-ABCDE-FGHJK-MNPQR";
        var oldHash = JoseBase64.Encode(HMACSHA256.HashData(salt, "K7Q2MABCDEFGHJKMNPQR"u8));
        var pepper = RandomNumberGenerator.GetBytes(32);

        Assert.True(IssuerWithPepper(pepper, legacySalt: salt).Matches(Code.ToLowerInvariant(), oldHash));
        Assert.False(IssuerWithPepper(pepper, legacySalt: salt).Matches("K7Q2M-ABCDE-FGHJK-MNPQS", oldHash));
        Assert.False(IssuerWithPepper(pepper).Matches(Code, oldHash)); // without the salt, old receipts cannot be checked
        var current = Fresh(IssuerWithPepper(pepper, legacySalt: salt));
        Assert.True(IssuerWithPepper(pepper, legacySalt: salt).Matches(current.Code, current.Hash));
        Assert.False(IssuerWithPepper(RandomNumberGenerator.GetBytes(32), legacySalt: salt).Matches(current.Code, current.Hash));
    }
}
