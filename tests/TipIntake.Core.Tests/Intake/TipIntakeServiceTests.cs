using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Testing;
using TipIntake.Core.Tests.Jwe;

namespace TipIntake.Core.Tests.Intake;

public class TipIntakeServiceTests
{
    private const string CrockfordGroup = "[0-9A-HJKMNP-TV-Z]{5}";
    private static readonly DateTimeOffset Now = new(2025, 6, 15, 13, 47, 21, 123, TimeSpan.Zero);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(42);

    private readonly FakeIntakeKey _key = new();
    private readonly FakeTipInbox _inbox = new();
    private readonly FakeClaimCheckStore _claimChecks = new();
    private readonly CapturingLogger<TipIntakeService> _logger = new();
    private readonly ReceiptIssuer _receipts;
    private readonly TipIntakeService _service;

    public TipIntakeServiceTests()
    {
        var options = Options.Create(new IntakeOptions
        {
            ReceiptPepper = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            RetryAfter = RetryAfter,
        });
        _receipts = new ReceiptIssuer(options);
        _service = new TipIntakeService(_key, _inbox, _claimChecks, _receipts, new FixedTimeProvider(Now), options, _logger);
    }

    private JweFactory.Built ValidJwe(RSA? wrapKey = null) =>
        JweFactory.Build(JweFactory.HeaderJsonFor(_key.KeyId), wrapKey: wrapKey ?? _key.Rsa);

    private static string WithKeyId(string kid) =>
        JweFactory.Build(JweFactory.HeaderJsonFor(kid), wrapKey: FakeIntakeKey.Rsa3072).Compact;

    private Task<IntakeResult> SubmitAsync(string compact) => _service.SubmitAsync(compact, CancellationToken.None);

    private void AssertRefused(IntakeResult result, JweFault fault)
    {
        Assert.Equal(new IntakeResult.Refused(fault), result);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task Valid_jwe_is_accepted_with_a_receipt_and_enqueued_as_a_v1_envelope()
    {
        var jwe = ValidJwe();

        var result = await SubmitAsync(jwe.Compact);

        var accepted = Assert.IsType<IntakeResult.Accepted>(result);
        Assert.Matches($"^{CrockfordGroup}-{CrockfordGroup}-{CrockfordGroup}-{CrockfordGroup}\\z", accepted.ReceiptCode);
        var envelope = Assert.Single(_inbox.Envelopes);
        Assert.Equal(1, envelope.Version);
        Assert.Equal(TipEnvelope.CurrentVersion, envelope.Version);
        Assert.Matches("^[0-9a-f]{32}\\z", envelope.TipId);
        Assert.Equal(new DateTimeOffset(2025, 6, 15, 13, 0, 0, TimeSpan.Zero), envelope.ReceivedHour);
        Assert.Equal(TimeSpan.Zero, envelope.ReceivedHour.Offset);
        Assert.Equal(_receipts.HashOf(accepted.ReceiptCode), envelope.ReceiptHash);
        Assert.Equal(jwe.Compact, envelope.Jwe);
    }

    [Fact]
    public async Task Resend_of_the_same_JWE_under_the_same_submission_id_after_an_outage_gets_the_same_tip_id_and_receipt()
    {
        var jwe = ValidJwe().Compact;
        var submission = SubmissionId.New();

        var first = await _service.SubmitAsync(jwe, submission, admit: null, CancellationToken.None);
        _inbox.Unavailable = true;
        var during = await _service.SubmitAsync(jwe, submission, admit: null, CancellationToken.None);
        _inbox.Unavailable = false;
        var resend = await _service.SubmitAsync(jwe, submission, admit: null, CancellationToken.None);

        Assert.IsType<IntakeResult.Unavailable>(during);
        Assert.Equal(Assert.IsType<IntakeResult.Accepted>(first).ReceiptCode, Assert.IsType<IntakeResult.Accepted>(resend).ReceiptCode);
        Assert.Equal(2, _inbox.Envelopes.Count);
        Assert.Equal(_inbox.Envelopes[0].TipId, _inbox.Envelopes[1].TipId);
        Assert.Equal(_inbox.Envelopes[0].ReceiptHash, _inbox.Envelopes[1].ReceiptHash);
    }

    [Fact]
    public async Task Another_JWE_under_a_reused_submission_id_is_another_tip()
    {
        var submission = SubmissionId.New();

        var first = await _service.SubmitAsync(ValidJwe().Compact, submission, admit: null, CancellationToken.None);
        var second = await _service.SubmitAsync(ValidJwe().Compact, submission, admit: null, CancellationToken.None);

        Assert.NotEqual(Assert.IsType<IntakeResult.Accepted>(first).ReceiptCode, Assert.IsType<IntakeResult.Accepted>(second).ReceiptCode);
        Assert.NotEqual(_inbox.Envelopes[0].TipId, _inbox.Envelopes[1].TipId);
    }

    [Fact]
    public async Task Without_a_submission_id_the_same_JWE_twice_is_two_tips()
    {
        var jwe = ValidJwe().Compact;

        await SubmitAsync(jwe);
        await SubmitAsync(jwe);

        Assert.NotEqual(_inbox.Envelopes[0].TipId, _inbox.Envelopes[1].TipId);
    }

    [Fact]
    public async Task Envelope_holds_no_receipt_code()
    {
        var result = Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(ValidJwe().Compact));

        var json = JsonSerializer.Serialize(Assert.Single(_inbox.Envelopes), EnvelopeJsonContext.Default.TipEnvelope);
        Assert.DoesNotContain(result.ReceiptCode, json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(result.ReceiptCode.Replace("-", "", StringComparison.Ordinal), json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Two_submissions_get_different_tip_ids_and_receipts()
    {
        var jwe = ValidJwe().Compact;

        var first = Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(jwe));
        var second = Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(jwe));

        Assert.NotEqual(first.ReceiptCode, second.ReceiptCode);
        Assert.Equal(2, _inbox.Envelopes.Count);
        Assert.NotEqual(_inbox.Envelopes[0].TipId, _inbox.Envelopes[1].TipId);
        Assert.NotEqual(_inbox.Envelopes[0].ReceiptHash, _inbox.Envelopes[1].ReceiptHash);
    }

    [Fact]
    public async Task Any_version_of_the_intake_key_is_accepted()
    {
        var olderVersion = $"https://{FakeIntakeKey.VaultHost}/keys/{FakeIntakeKey.KeyName}/{new string('0', 32)}";

        Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(WithKeyId(olderVersion)));
        Assert.Single(_inbox.Envelopes);
    }

    public static TheoryData<string> ForeignKeyIds => new()
    {
        $"https://other.vault.azure.net/keys/intake/{new string('a', 32)}",
        JweFactory.KeyId,
        $"https://test.vault.azure.net/keys/intake-old/{new string('a', 32)}",
        $"https://test.vault.azure.net/keys/other/{new string('a', 32)}",
        "https://test.vault.azure.net/keys/intake",
        $"https://test.vault.azure.net/keys/intake/{new string('A', 32)}",
        $"https://test.vault.azure.net/keys/intake/{new string('a', 31)}",
        $"http://test.vault.azure.net/keys/intake/{new string('a', 32)}",
        $"https://test.vault.azure.net:8443/keys/intake/{new string('a', 32)}",
        $"https://test.vault.azure.net/secrets/intake/{new string('a', 32)}",
        $"https://test.vault.azure.net/keys/intake/{new string('a', 32)}?x=1",
        $"https://test.vault.azure.net.evil.example/keys/intake/{new string('a', 32)}",
        "intake",
        "not a uri",
    };

    [Theory]
    [MemberData(nameof(ForeignKeyIds))]
    public async Task Kid_that_is_not_a_version_of_the_intake_key_is_refused(string kid)
    {
        AssertRefused(await SubmitAsync(WithKeyId(kid)), JweFault.UnsupportedKid);
    }

    [Fact]
    public async Task Encrypted_key_of_another_modulus_length_is_refused()
    {
        var jwe = ValidJwe(wrapKey: FakeIntakeKey.Rsa2048);
        Assert.Equal(256, jwe.Segments[1].Length * 3 / 4);

        AssertRefused(await SubmitAsync(jwe.Compact), JweFault.InvalidEncryptedKey);
    }

    [Fact]
    public async Task Encrypted_key_of_an_rsa4096_length_is_refused_for_an_rsa3072_key()
    {
        var segments = ValidJwe().Segments;
        segments[1] = JweFactory.Random(512);

        AssertRefused(await SubmitAsync(string.Join('.', segments)), JweFault.InvalidEncryptedKey);
    }

    [Fact]
    public async Task Rsa2048_intake_key_accepts_keys_wrapped_with_it()
    {
        var key = new FakeIntakeKey(FakeIntakeKey.Rsa2048);
        var service = new TipIntakeService(
            key, _inbox, _claimChecks, _receipts, TimeProvider.System, Options.Create(new IntakeOptions()), _logger);
        var jwe = JweFactory.Build(JweFactory.HeaderJsonFor(key.KeyId), wrapKey: key.Rsa);

        Assert.IsType<IntakeResult.Accepted>(await service.SubmitAsync(jwe.Compact, CancellationToken.None));
        Assert.Equal(
            new IntakeResult.Refused(JweFault.InvalidEncryptedKey),
            await service.SubmitAsync(ValidJwe().Compact, CancellationToken.None));
    }

    public static TheoryData<string, JweFault> MalformedJwes => new()
    {
        { "", JweFault.EmptyBody },
        { "hello", JweFault.NotCompactJwe },
        { "a.b.c.d", JweFault.NotCompactJwe },
        { "a.b.c.d.e.f", JweFault.NotCompactJwe },
        { JweFactory.WithSegment(3, "!!"), JweFault.InvalidBase64url },
        { JweFactory.WithHeader("[]"), JweFault.HeaderNotJson },
        { JweFactory.WithHeader("""{"alg":"RSA-OAEP-256","enc":"A256GCM","cty":"application/vnd.tipintake.tip.v1+json"}"""), JweFault.HeaderMemberMissing },
        { JweFactory.WithHeader("""{"alg":"RSA-OAEP","enc":"A256GCM","kid":"https://test.vault.azure.net/keys/intake/0123456789abcdef0123456789abcdef","cty":"application/vnd.tipintake.tip.v1+json"}"""), JweFault.UnsupportedAlg },
        { JweFactory.WithHeader("""{"alg":"RSA-OAEP-256","enc":"A128GCM","kid":"https://test.vault.azure.net/keys/intake/0123456789abcdef0123456789abcdef","cty":"application/vnd.tipintake.tip.v1+json"}"""), JweFault.UnsupportedEnc },
        { JweFactory.WithHeader("""{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"https://test.vault.azure.net/keys/intake/0123456789abcdef0123456789abcdef","cty":"application/json"}"""), JweFault.UnsupportedCty },
        { JweFactory.WithHeader("""{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"https://test.vault.azure.net/keys/intake/0123456789abcdef0123456789abcdef","cty":"application/vnd.tipintake.tip.v1+json","zip":"DEF"}"""), JweFault.UnsupportedHeaderParameter },
        { JweFactory.WithSegment(2, JweFactory.Random(16)), JweFault.InvalidIv },
        { JweFactory.WithSegment(4, JweFactory.Random(8)), JweFault.InvalidTag },
        { JweFactory.WithSegment(3, ""), JweFault.EmptyCiphertext },
    };

    [Theory]
    [MemberData(nameof(MalformedJwes))]
    public async Task Malformed_jwe_is_refused_with_the_parsers_fault(string compact, JweFault fault)
    {
        Assert.False(JweParser.TryParse(compact, TipEnvelope.MaxJweLength, out _, out var parserFault));
        Assert.Equal(fault, parserFault);

        AssertRefused(await SubmitAsync(compact), fault);
    }

    /// <summary>A well-formed JWE of exactly <paramref name="length"/> characters (its ciphertext is filler).</summary>
    private string JweOfLength(int length)
    {
        // A base64url segment cannot be 1 more than a multiple of 4 long; a typ of the right length shifts the header.
        foreach (var typ in new[] { "", "J", "JW", "JWE" })
        {
            var header = JweFactory.HeaderJsonFor(_key.KeyId);
            header = typ.Length == 0 ? header : header.Replace("}", $",\"typ\":\"{typ}\"}}", StringComparison.Ordinal);
            var segments = JweFactory.Build(header, wrapKey: _key.Rsa).Segments;
            var ciphertextLength = length - (string.Join('.', segments).Length - segments[3].Length);
            if (ciphertextLength % 4 != 1)
            {
                segments[3] = new string('A', ciphertextLength);
                return string.Join('.', segments);
            }
        }

        throw new InvalidOperationException("unreachable: four header lengths cover every remainder");
    }

    [Fact]
    public async Task Jwe_longer_than_an_envelope_can_carry_is_refused_as_too_long()
    {
        var compact = JweOfLength(TipEnvelope.MaxJweLength + 1);

        Assert.Equal(TipEnvelope.MaxJweLength + 1, compact.Length);
        AssertRefused(await SubmitAsync(compact), JweFault.TooLarge);
    }

    [Fact]
    public async Task Jwe_of_exactly_the_maximum_length_is_accepted_and_waits_in_the_claim_check_store()
    {
        var compact = JweOfLength(TipEnvelope.MaxJweLength);

        Assert.Equal(TipEnvelope.MaxJweLength, compact.Length);
        Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(compact));
        var envelope = Assert.Single(_inbox.Envelopes);
        Assert.Null(envelope.Jwe);
        // Named by a keyed hash of the tip id, never the id itself: a traced blob request must not date the tip.
        Assert.Equal(_receipts.ClaimCheckNameOf(envelope.TipId), envelope.JweRef);
        Assert.NotEqual(envelope.TipId, envelope.JweRef);
        Assert.Equal(compact, _claimChecks.Items[envelope.JweRef!]);
    }

    [Fact]
    public async Task Jwe_of_exactly_the_inline_maximum_travels_in_the_message()
    {
        var compact = JweOfLength(TipEnvelope.MaxInlineJweLength);

        Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(compact));
        var envelope = Assert.Single(_inbox.Envelopes);
        Assert.Equal(compact, envelope.Jwe);
        Assert.Null(envelope.JweRef);
        Assert.Empty(_claimChecks.Items);
    }

    [Fact]
    public async Task Jwe_one_longer_than_the_inline_maximum_is_claim_checked()
    {
        var compact = JweOfLength(TipEnvelope.MaxInlineJweLength + 1);

        Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(compact));
        Assert.Equal(compact, _claimChecks.Items[Assert.Single(_inbox.Envelopes).JweRef!]);
    }

    [Fact]
    public async Task Claim_check_store_unavailable_makes_a_large_submission_unavailable_and_nothing_is_queued()
    {
        _claimChecks.Unavailable = true;

        var result = await SubmitAsync(JweOfLength(TipEnvelope.MaxInlineJweLength + 1));

        Assert.Equal(new IntakeResult.Unavailable(RetryAfter), result);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task Large_resend_under_the_same_submission_id_rewrites_the_same_claim_check()
    {
        var compact = JweOfLength(TipEnvelope.MaxInlineJweLength + 10);
        var submission = SubmissionId.New();

        await _service.SubmitAsync(compact, submission, admit: null, CancellationToken.None);
        await _service.SubmitAsync(compact, submission, admit: null, CancellationToken.None);

        Assert.Equal(_inbox.Envelopes[0].JweRef, _inbox.Envelopes[1].JweRef);
        Assert.Equal(compact, Assert.Single(_claimChecks.Items).Value);
    }

    [Fact]
    public async Task Inbox_unavailable_makes_the_submission_unavailable_with_the_configured_retry_after()
    {
        _inbox.Unavailable = true;

        var result = await SubmitAsync(ValidJwe().Compact);

        Assert.Equal(new IntakeResult.Unavailable(RetryAfter), result);
        Assert.Empty(_inbox.Envelopes);
    }

    [Fact]
    public async Task Key_versions_not_read_yet_make_the_submission_unavailable()
    {
        _key.VersionsUnknown = true;

        var result = await SubmitAsync(ValidJwe().Compact);

        Assert.Equal(new IntakeResult.Unavailable(RetryAfter), result);
        Assert.Empty(_inbox.Envelopes);
    }

    [Theory]
    [InlineData(IntakeKeyFailure.Transient)]
    [InlineData(IntakeKeyFailure.Unauthorized)]
    public async Task Intake_needs_no_public_key_read_so_a_failing_key_store_does_not_stop_it(IntakeKeyFailure failure)
    {
        _key.PublicKeyFailure = failure;

        Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(ValidJwe().Compact));
    }

    [Fact]
    public async Task Intake_never_unwraps_or_decrypts()
    {
        Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(ValidJwe().Compact));

        Assert.Equal(0, _key.UnwrapCalls);
    }

    [Fact]
    public async Task Logs_hold_no_receipt_tip_id_or_jwe()
    {
        var jwe = ValidJwe();
        var accepted = Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(jwe.Compact));
        await SubmitAsync(WithKeyId(JweFactory.KeyId));
        _inbox.Unavailable = true;
        await SubmitAsync(jwe.Compact);

        var logs = _logger.AllText;
        Assert.Equal(3, _logger.Lines.Count);
        Assert.DoesNotContain(accepted.ReceiptCode, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_inbox.Envelopes[0].ReceiptHash, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_inbox.Envelopes[0].TipId, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(jwe.Segments[1][..16], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(JweFactory.KeyId, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepted_submission_is_processed_into_the_tip_store()
    {
        var jwe = ValidJwe();
        var accepted = Assert.IsType<IntakeResult.Accepted>(await SubmitAsync(jwe.Compact));
        var envelope = Assert.Single(_inbox.Envelopes);
        var store = new FakeTipStore();
        var quarantine = new FakeQuarantine();
        var processor = new TipProcessor(
            _key, store, quarantine, _claimChecks, new TipRouter(Options.Create(new RoutingOptions())), new FixedTimeProvider(Now),
            new CapturingLogger<TipProcessor>());
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.TipEnvelope);

        var outcome = await processor.ProcessAsync(new InboundMessage("m1", body, 1), CancellationToken.None);

        Assert.Equal(new ProcessingOutcome.Stored(envelope.TipId, "general", false), outcome);
        var stored = Assert.Single(store.Tips);
        Assert.Equal(_receipts.HashOf(accepted.ReceiptCode), stored.ReceiptHash);
        Assert.Equal(_key.KeyId, stored.KeyId);
        Assert.Equal("A test tip.", stored.Tip.Narrative);
        Assert.Empty(quarantine.Entries);
    }

    [Fact]
    public async Task Refused_submissions_are_counted_into_one_line_a_minute_never_a_line_each()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now);
        var tallyLogger = new CapturingLogger<Core.Logging.SubmissionRefusals>();
        using var refusals = new Core.Logging.SubmissionRefusals(time, tallyLogger);
        var service = new TipIntakeService(_key, _inbox, _claimChecks, _receipts, time, Options.Create(new IntakeOptions()), _logger, refusals);
        for (var i = 0; i < 500; i++)
        {
            Assert.IsType<IntakeResult.Refused>(await service.SubmitAsync("not.a.jwe", default));
        }

        Assert.IsType<IntakeResult.Refused>(await service.SubmitAsync(WithKeyId(JweFactory.KeyId), default));
        Assert.DoesNotContain(_logger.Lines, l => !l.StartsWith("Debug", StringComparison.Ordinal));
        Assert.Empty(tallyLogger.Lines);

        time.Advance(Core.Logging.SubmissionRefusals.Interval);

        var summary = Assert.Single(tallyLogger.Lines);
        Assert.StartsWith("Information 7010:", summary, StringComparison.Ordinal);
        Assert.Contains("501 (not-compact-jwe 500, unsupported-kid 1)", summary, StringComparison.Ordinal);
    }
}
