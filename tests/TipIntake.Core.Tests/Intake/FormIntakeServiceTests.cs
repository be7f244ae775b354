using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Testing;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Tests.Intake;

/// <summary>
/// The no-script path: a tip in (the web layer maps the form's fields: Functions.Tests <c>TipFormTests</c>), the same
/// JWE a browser makes out, through the same intake.
/// </summary>
public sealed class FormIntakeServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 16, 5, 0, TimeSpan.Zero);
    private readonly FakeIntakeKey _key = new();
    private readonly FakeTipInbox _inbox = new();
    private readonly FakeClaimCheckStore _claimChecks = new();
    private readonly FormIntakeService _service;

    public FormIntakeServiceTests()
    {
        var options = Options.Create(new IntakeOptions { ReceiptPepper = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), RetryAfter = TimeSpan.FromSeconds(9) });
        var intake = new TipIntakeService(_key, _inbox, _claimChecks, new ReceiptIssuer(options), new FixedTimeProvider(Now), options, new CapturingLogger<TipIntakeService>());
        _service = new FormIntakeService(intake, _key, new ReceiptIssuer(options), new FormEnrolments(new FollowUpSecrets(options)), new FixedTimeProvider(Now));
    }

    /// <summary>The tip the form's fields in Functions.Tests <c>TipFormTests</c> make.</summary>
    private static TipDocument ValidTip(string narrative = "세 사람이 끌려갔습니다.\n둘째 줄") => new()
    {
        Category = "forced-repatriation",
        Narrative = narrative,
        Urgency = "imminent",
        Location = new LocationDocument { Country = "CN", Region = "길림성" },
        Observed = new ObservedDocument { From = "2026-11-01" },
        PeopleCount = 3,
        Language = "ko",
    };

    [Fact]
    public async Task Valid_tip_becomes_a_JWE_the_processor_can_open_with_the_tip_exactly_as_written()
    {
        var result = await _service.SubmitAsync(ValidTip(), CancellationToken.None);

        Assert.IsType<FormIntakeResult.Accepted>(result);
        var envelope = Assert.Single(_inbox.Envelopes);
        Assert.True(JweParser.TryParse(envelope.Jwe!, TipEnvelope.MaxJweLength, out var jwe, out _));
        Assert.Equal(_key.KeyId, jwe.Header.KeyId);
        Assert.True(JweDecryptor.TryDecrypt(jwe, _key.Rsa.Decrypt(jwe.EncryptedKey, RSAEncryptionPadding.OaepSHA256), out var plaintext));
        Assert.Contains(plaintext.Length, TipPadding.Buckets);
        var tip = TipReader.Read(plaintext, Now).Tip!;
        Assert.Equal("세 사람이 끌려갔습니다.\n둘째 줄", tip.Narrative);
        Assert.Equal(new TipLocation("CN", "길림성", null), tip.Location);
        Assert.Equal(3, tip.PeopleCount);
        Assert.Null(tip.Contact);
        Assert.Null(tip.ObservedTo);
    }

    [Fact]
    public async Task The_queued_tip_is_enrolled_for_follow_up_with_the_code_the_reporter_is_shown()
    {
        var result = await _service.SubmitAsync(ValidTip(), CancellationToken.None);

        var code = Assert.IsType<FormIntakeResult.Accepted>(result).FollowUpCode;
        var envelope = Assert.Single(_inbox.Envelopes);
        Assert.True(JweParser.TryParse(envelope.Jwe!, TipEnvelope.MaxJweLength, out var jwe, out _));
        Assert.True(JweDecryptor.TryDecrypt(jwe, _key.Rsa.Decrypt(jwe.EncryptedKey, RSAEncryptionPadding.OaepSHA256), out var plaintext));
        Assert.Contains(plaintext.Length, TipPadding.Buckets);
        var read = TipReader.Read(plaintext, Now);
        Assert.True(read.IsValid);
        var enrolment = Assert.IsType<FollowUpEnrolment>(read.FollowUp.Enrolment);

        var value = new byte[FollowUpCode.ValueBytes];
        var master = new byte[32];
        var lookup = new byte[32];
        Assert.Equal(FollowUpCodeStatus.Valid, FollowUpCode.Parse(code.Letters, value));
        FollowUpKeys.DeriveMaster(value, master);
        FollowUpKeys.DeriveLookup(master, lookup);
        Assert.Equal(lookup, enrolment.Lookup.ToArray());
    }

    [Fact]
    public async Task Invalid_tip_comes_back_as_schema_path_errors_with_the_unwritten_ones_and_nothing_is_queued()
    {
        var tip = ValidTip() with
        {
            Urgency = null,
            Location = new LocationDocument { Region = "길림성" },
            Observed = new ObservedDocument { From = "2099-01-01" },
            PeopleCount = null,
        };

        var result = await _service.SubmitAsync(tip, [new TipError("peopleCount", "not-a-number", "")], SubmissionId.New(), admit: null, CancellationToken.None);

        var invalid = Assert.IsType<FormIntakeResult.Invalid>(result);
        Assert.Equal("required", invalid.Errors["urgency"]);
        Assert.Equal("required", invalid.Errors["location.country"]);
        Assert.Equal("in-future", invalid.Errors["observed.from"]);
        Assert.Equal("not-a-number", invalid.Errors["peopleCount"]);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task A_narrative_of_twenty_thousand_Korean_characters_is_accepted_through_the_claim_check_store()
    {
        var narrative = new string('가', 20_000);

        var result = await _service.SubmitAsync(ValidTip(narrative), CancellationToken.None);

        Assert.IsType<FormIntakeResult.Accepted>(result);
        var envelope = Assert.Single(_inbox.Envelopes);
        Assert.Null(envelope.Jwe);
        Assert.True(JweParser.TryParse(_claimChecks.Items[envelope.JweRef!], TipEnvelope.MaxJweLength, out var jwe, out _));
        Assert.True(JweDecryptor.TryDecrypt(jwe, _key.Rsa.Decrypt(jwe.EncryptedKey, RSAEncryptionPadding.OaepSHA256), out var plaintext));
        Assert.Equal(TipPadding.Buckets[^1], plaintext.Length);
        Assert.Equal(narrative, TipReader.Read(plaintext, Now).Tip!.Narrative);
    }

    [Fact]
    public async Task A_narrative_over_twenty_thousand_characters_is_refused_on_the_narrative()
    {
        var result = await _service.SubmitAsync(ValidTip(new string('가', 20_001)), CancellationToken.None);

        Assert.Equal("too-long", Assert.IsType<FormIntakeResult.Invalid>(result).Errors["narrative"]);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task Form_posted_again_under_its_submission_id_keeps_its_tip_id_and_receipt_though_the_JWE_is_new()
    {
        var submission = SubmissionId.New();

        var first = await _service.SubmitAsync(ValidTip(), [], submission, admit: null, CancellationToken.None);
        var again = await _service.SubmitAsync(ValidTip(), [], submission, admit: null, CancellationToken.None);
        var edited = await _service.SubmitAsync(ValidTip("세 사람이 끌려갔습니다."), [], submission, admit: null, CancellationToken.None);

        Assert.Equal(Assert.IsType<FormIntakeResult.Accepted>(first).ReceiptCode, Assert.IsType<FormIntakeResult.Accepted>(again).ReceiptCode);
        Assert.NotEqual(Assert.IsType<FormIntakeResult.Accepted>(first).ReceiptCode, Assert.IsType<FormIntakeResult.Accepted>(edited).ReceiptCode);

        // One follow-up code per page, as on the script path: a resent page and an edited one keep it.
        Assert.Equal(((FormIntakeResult.Accepted)first).FollowUpCode, ((FormIntakeResult.Accepted)again).FollowUpCode);
        Assert.Equal(((FormIntakeResult.Accepted)first).FollowUpCode, ((FormIntakeResult.Accepted)edited).FollowUpCode);
        Assert.Equal(3, _inbox.Envelopes.Count);
        Assert.NotEqual(_inbox.Envelopes[0].Jwe, _inbox.Envelopes[1].Jwe);
        Assert.Equal(_inbox.Envelopes[0].TipId, _inbox.Envelopes[1].TipId);
        Assert.NotEqual(_inbox.Envelopes[0].TipId, _inbox.Envelopes[2].TipId);
    }

    [Fact]
    public async Task Unavailable_storage_or_key_answers_unavailable()
    {
        _inbox.Unavailable = true;
        Assert.IsType<FormIntakeResult.Unavailable>(await _service.SubmitAsync(ValidTip(), CancellationToken.None));

        _inbox.Unavailable = false;
        _key.PublicKeyFailure = IntakeKeyFailure.Transient;
        var result = await _service.SubmitAsync(ValidTip(), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(9), Assert.IsType<FormIntakeResult.Unavailable>(result).RetryAfter);
    }

    [Theory]
    [InlineData(10, 1024)]
    [InlineData(2_000, 4096)]
    [InlineData(9_000, 16384)]
    [InlineData(20_000, 34000)]
    public void Padding_fills_the_plaintext_to_the_smallest_bucket_that_fits(int narrativeBytes, int bucket)
    {
        var json = TipPadding.ToPaddedJson(ValidTip(new string('a', narrativeBytes)));

        Assert.Equal(bucket, json.Length);
        Assert.True(TipReader.Read(json, Now).IsValid);
    }

    [Fact]
    public async Task Server_made_JWE_has_the_browser_shape()
    {
        var plaintext = Encoding.UTF8.GetBytes("{}");
        var key = await _key.GetPublicKeyAsync(CancellationToken.None);
        var compact = JweEncryptor.Encrypt(plaintext, key);

        Assert.True(JweParser.TryParse(compact, TipEnvelope.MaxJweLength, out var jwe, out _));
        Assert.Equal(384, jwe.EncryptedKey.Length);
        Assert.Equal("""{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"KID","cty":"application/vnd.tipintake.tip.v1+json"}""".Replace("KID", _key.KeyId, StringComparison.Ordinal),
            Encoding.UTF8.GetString(JoseBase64.TryDecode(jwe.EncodedProtectedHeader, out var header) ? header : []));
        Assert.NotEqual(JweEncryptor.Encrypt(plaintext, key).Split('.')[2], compact.Split('.')[2]);
    }
}
