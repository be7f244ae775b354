using System.Security.Cryptography;
using System.Text;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Tests.Jwe;

namespace TipIntake.Core.Tests.Processing;

public class TipProcessorTests
{
    private const string MessageHashIdPattern = "^msg-[0-9a-f]{32}\\z";

    private readonly ProcessorHarness _h = new();

    private QuarantineEntry SingleQuarantined()
    {
        Assert.Empty(_h.Store.Tips);
        return Assert.Single(_h.Quarantine.Entries);
    }

    private void AssertNothingWritten()
    {
        Assert.Empty(_h.Store.Tips);
        Assert.Empty(_h.Quarantine.Entries);
        Assert.Equal(0, _h.Quarantine.Puts);
    }

    // ---- stored ----

    [Fact]
    public async Task Valid_envelope_is_stored_in_the_queue_the_router_chooses()
    {
        var (message, envelope) = _h.ValidMessage();

        var outcome = await _h.ProcessAsync(message);

        Assert.Equal(new ProcessingOutcome.Stored(envelope.TipId, "team-d", WasRedelivery: false), outcome);
        var stored = Assert.Single(_h.Store.Tips);
        Assert.Equal(envelope.TipId, stored.TipId);
        Assert.Equal(ProcessorHarness.ValidTipRoute, stored.Route);
        Assert.Equal(_h.ReceiptHash, stored.ReceiptHash);
        Assert.Equal(_h.Key.KeyId, stored.KeyId);
        Assert.Equal(ProcessorHarness.ReceivedHour, stored.ReceivedHour);
        Assert.Equal(ProcessorHarness.ValidTip, stored.Tip);
        Assert.Empty(_h.Quarantine.Entries);
    }

    [Fact]
    public async Task Imminent_tip_goes_to_the_queue_of_the_first_matching_rule()
    {
        var json = """{"category":"detention","narrative":"Taken today.","urgency":"imminent"}""";
        var envelope = _h.EnvelopeFor(_h.BuildJwe(json).Compact);

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(new ProcessingOutcome.Stored(envelope.TipId, "urgent", false), outcome);
        Assert.Equal(new RouteDecision("urgent", 1), Assert.Single(_h.Store.Tips).Route);
    }

    [Fact]
    public async Task Same_message_twice_is_stored_once_and_the_second_is_a_redelivery()
    {
        var (message, envelope) = _h.ValidMessage();

        var first = await _h.ProcessAsync(message);
        var second = await _h.ProcessAsync(message with { DequeueCount = 2 });

        Assert.Equal(new ProcessingOutcome.Stored(envelope.TipId, "team-d", WasRedelivery: false), first);
        Assert.Equal(new ProcessingOutcome.Stored(envelope.TipId, "team-d", WasRedelivery: true), second);
        Assert.Equal(envelope.TipId, Assert.Single(_h.Store.Tips).TipId);
        Assert.Empty(_h.Quarantine.Entries);
    }

    // ---- envelope-invalid ----

    /// <summary>Bodies with <c>{jwe}</c>, <c>{tipId}</c> and <c>{hash}</c> standing for valid values.</summary>
    public static TheoryData<string> InvalidEnvelopes => new()
    {
        "",
        "hello",
        "null",
        "[]",
        "42",
        "\"text\"",
        "{}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"",
        // wrong version
        "{\"v\":2,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":0,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":\"1\",\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        // missing members
        "{\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\"}",
        // empty or null members
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":null,\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":null,\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":null}",
        // bad tip ids
        "{\"v\":1,\"tipId\":\"\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"0123456789ABCDEF0123456789ABCDEF\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"0123456789abcdef0123456789abcde\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"0123456789abcdef0123456789abcdef0\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"0123456789abcdef0123456789abcdeg\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"../../0123456789abcdef0123456789\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":12345,\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        // not a date, an unknown member, a member twice, nesting
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"noon\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\",\"ip\":\"192.0.2.1\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":\"{hash}\",\"jwe\":\"{jwe}\"}",
        "{\"v\":1,\"tipId\":\"{tipId}\",\"receivedHour\":\"2025-06-15T12:00:00+00:00\",\"receiptHash\":{\"a\":{\"b\":1}},\"jwe\":\"{jwe}\"}",
    };

    [Theory]
    [MemberData(nameof(InvalidEnvelopes))]
    public async Task Envelope_that_is_not_v1_is_quarantined_as_envelope_invalid_with_the_body_kept(string template)
    {
        var body = Encoding.UTF8.GetBytes(template
            .Replace("{jwe}", _h.BuildJwe().Compact, StringComparison.Ordinal)
            .Replace("{tipId}", TipIntakeService.NewTipId(), StringComparison.Ordinal)
            .Replace("{hash}", _h.ReceiptHash, StringComparison.Ordinal));

        var outcome = await _h.ProcessAsync(_h.MessageOf(body, dequeueCount: 1));

        var quarantined = Assert.IsType<ProcessingOutcome.Quarantined>(outcome);
        Assert.Equal(QuarantineReason.EnvelopeInvalid, quarantined.Reason);
        Assert.Matches(MessageHashIdPattern, quarantined.QuarantineId);
        var entry = SingleQuarantined();
        Assert.Equal(quarantined.QuarantineId, entry.Id);
        Assert.Equal(QuarantineReason.EnvelopeInvalid, entry.Reason);
        Assert.Equal(body, entry.Message.ToArray());
        Assert.Null(entry.TipId);
        Assert.Null(entry.KeyId);
        Assert.Equal(0, _h.Key.UnwrapCalls);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, 0x00, 0x7B })]
    [InlineData(new byte[] { 0x7B, 0x22, 0x76, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D })] // {"v\xC3(":1}
    [InlineData(new byte[] { 0x00 })]
    [InlineData(new byte[] { 0x7B, 0x22, 0x76, 0x22, 0x3A, 0x31, 0x2C, 0x22, 0x74, 0x69, 0x70, 0x49, 0x64, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D })] // {"v":1,"tipId":"\xC3("}
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x7B, 0x7D })] // BOM + {}
    public async Task Envelope_of_bytes_that_are_not_utf8_json_is_quarantined_as_envelope_invalid(byte[] body)
    {
        var outcome = await _h.ProcessAsync(_h.MessageOf(body));

        var quarantined = Assert.IsType<ProcessingOutcome.Quarantined>(outcome);
        Assert.Equal(QuarantineReason.EnvelopeInvalid, quarantined.Reason);
        Assert.Matches(MessageHashIdPattern, quarantined.QuarantineId);
        Assert.Equal(body, SingleQuarantined().Message.ToArray());
    }

    [Fact]
    public async Task Envelope_invalid_id_is_the_first_128_bits_of_the_sha256_of_the_body()
    {
        var body = Encoding.UTF8.GetBytes("not an envelope");

        var outcome = await _h.ProcessAsync(_h.MessageOf(body));

        var expected = "msg-" + Convert.ToHexStringLower(SHA256.HashData(body))[..32];
        Assert.Equal(new ProcessingOutcome.Quarantined(expected, QuarantineReason.EnvelopeInvalid), outcome);
    }

    // ---- jwe-invalid ----

    public static TheoryData<string, string> UnparsableJwes => new()
    {
        { "not-a-jwe", "not-compact-jwe" },
        { "a.b.c.d.e", "invalid-base64url" },
        { "a.b.c.d", "not-compact-jwe" },
        { "e30.!!.c.d.e", "invalid-base64url" },
        { JweFactory.WithHeader("""{"alg":"RSA-OAEP","enc":"A256GCM","kid":"k","cty":"application/vnd.tipintake.tip.v1+json"}"""), "unsupported-alg" },
        { JweFactory.WithSegment(2, JweFactory.Random(16)), "invalid-iv" },
        { JweFactory.WithSegment(4, JweFactory.Random(12)), "invalid-tag" },
        { JweFactory.WithSegment(3, ""), "empty-ciphertext" },
    };

    [Theory]
    [MemberData(nameof(UnparsableJwes))]
    public async Task Envelope_whose_jwe_does_not_parse_is_quarantined_as_jwe_invalid_under_its_tip_id(string jwe, string faultCode)
    {
        var envelope = _h.EnvelopeFor(jwe);
        var message = _h.MessageOf(envelope, dequeueCount: 1);

        var outcome = await _h.ProcessAsync(message);

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.JweInvalid), outcome);
        var entry = SingleQuarantined();
        Assert.Equal(envelope.TipId, entry.Id);
        Assert.Equal(envelope.TipId, entry.TipId);
        Assert.Equal(QuarantineReason.JweInvalid, entry.Reason);
        Assert.Equal(faultCode, entry.Detail);
        Assert.Equal(message.Body.ToArray(), entry.Message.ToArray());
        Assert.Equal(0, _h.Key.UnwrapCalls);
    }

    [Fact]
    public async Task Jwe_longer_than_an_envelope_can_carry_is_quarantined_as_jwe_invalid()
    {
        var envelope = _h.EnvelopeFor(new string('A', TipEnvelope.MaxJweLength + 1));

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.JweInvalid), outcome);
        Assert.Equal("too-large", SingleQuarantined().Detail);
    }

    // ---- key failures ----

    [Theory]
    [InlineData(IntakeKeyFailure.KeyUnavailable, QuarantineReason.KeyUnavailable)]
    [InlineData(IntakeKeyFailure.Rejected, QuarantineReason.UnwrapRejected)]
    public async Task Permanent_key_failure_is_quarantined_with_the_key_id(IntakeKeyFailure failure, QuarantineReason reason)
    {
        _h.Key.UnwrapFailure = failure;
        var (message, envelope) = _h.ValidMessage(dequeueCount: 1);

        var outcome = await _h.ProcessAsync(message);

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, reason), outcome);
        var entry = SingleQuarantined();
        Assert.Equal(reason, entry.Reason);
        Assert.Equal(envelope.TipId, entry.Id);
        Assert.Equal(envelope.TipId, entry.TipId);
        Assert.Equal(_h.Key.KeyId, entry.KeyId);
        Assert.Equal(message.Body.ToArray(), entry.Message.ToArray());
    }

    [Theory]
    [InlineData(IntakeKeyFailure.Transient)]
    [InlineData(IntakeKeyFailure.Unauthorized)]
    public async Task Transient_or_unauthorized_key_failure_is_retried_and_writes_nothing(IntakeKeyFailure failure)
    {
        _h.Key.UnwrapFailure = failure;
        var (message, _) = _h.ValidMessage();

        var outcome = await _h.ProcessAsync(message);

        Assert.IsType<ProcessingOutcome.RetryLater>(outcome);
        Assert.Equal(1, _h.Key.UnwrapCalls);
        AssertNothingWritten();
    }

    [Fact]
    public async Task Retried_key_failure_is_stored_once_the_key_answers()
    {
        _h.Key.UnwrapFailure = IntakeKeyFailure.Transient;
        var (message, envelope) = _h.ValidMessage();
        Assert.IsType<ProcessingOutcome.RetryLater>(await _h.ProcessAsync(message));

        _h.Key.UnwrapFailure = null;
        var outcome = await _h.ProcessAsync(message with { DequeueCount = 2 });

        Assert.Equal(new ProcessingOutcome.Stored(envelope.TipId, "team-d", false), outcome);
        Assert.Single(_h.Store.Tips);
    }

    [Fact]
    public async Task Kid_of_another_version_of_the_key_is_quarantined_as_key_unavailable()
    {
        var otherVersion = $"https://{Fakes.FakeIntakeKey.VaultHost}/keys/{Fakes.FakeIntakeKey.KeyName}/{new string('f', 32)}";
        var jwe = JweFactory.Build(JweFactory.HeaderJsonFor(otherVersion), Encoding.UTF8.GetBytes(ProcessorHarness.ValidTipJson), _h.Key.Rsa);
        var envelope = _h.EnvelopeFor(jwe.Compact);

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.KeyUnavailable), outcome);
        Assert.Equal(otherVersion, SingleQuarantined().KeyId);
    }

    [Fact]
    public async Task Wrapped_key_not_made_with_the_intake_key_is_quarantined_as_unwrap_rejected()
    {
        // 384 random bytes: the right length for the key, but no valid OAEP encoding under it.
        var segments = _h.BuildJwe().Segments;
        segments[1] = JweFactory.Random(384);
        var envelope = _h.EnvelopeFor(string.Join('.', segments));

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.UnwrapRejected), outcome);
        Assert.Equal(_h.Key.KeyId, SingleQuarantined().KeyId);
    }

    // ---- tag mismatch ----

    [Theory]
    [InlineData(2, 0)] // IV
    [InlineData(2, 11)]
    [InlineData(3, 0)] // ciphertext
    [InlineData(3, 40)]
    [InlineData(4, 0)] // tag
    [InlineData(4, 15)]
    public async Task Flipped_bit_in_iv_ciphertext_or_tag_is_quarantined_as_tag_mismatch(int segment, int byteIndex)
    {
        var envelope = _h.EnvelopeFor(ProcessorHarness.FlipBit(_h.BuildJwe().Compact, segment, byteIndex));
        var message = _h.MessageOf(envelope);

        var outcome = await _h.ProcessAsync(message);

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.TagMismatch), outcome);
        var entry = SingleQuarantined();
        Assert.Equal(QuarantineReason.TagMismatch, entry.Reason);
        Assert.Equal(_h.Key.KeyId, entry.KeyId);
        Assert.Equal(envelope.TipId, entry.TipId);
        Assert.Equal(message.Body.ToArray(), entry.Message.ToArray());
    }

    [Fact]
    public async Task Header_changed_after_encryption_is_quarantined_as_tag_mismatch()
    {
        var segments = _h.BuildJwe().Segments;
        var header = JweFactory.HeaderJsonFor(_h.Key.KeyId).Replace("}", ",\"typ\":\"JWE\"}", StringComparison.Ordinal);
        segments[0] = JoseBase64.Encode(Encoding.UTF8.GetBytes(header));
        var envelope = _h.EnvelopeFor(string.Join('.', segments));

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.TagMismatch), outcome);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(16)]
    public async Task Different_content_key_wrapped_is_quarantined_as_tag_mismatch(int wrappedLength)
    {
        var jwe = _h.BuildJwe(Encoding.UTF8.GetBytes(ProcessorHarness.ValidTipJson), RandomNumberGenerator.GetBytes(wrappedLength));
        var envelope = _h.EnvelopeFor(jwe.Compact);

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.TagMismatch), outcome);
        Assert.Equal(1, _h.Key.UnwrapCalls);
        Assert.Equal(_h.Key.KeyId, SingleQuarantined().KeyId);
    }

    // ---- tip-invalid ----

    public static TheoryData<byte[], string> InvalidTips => new()
    {
        { Encoding.UTF8.GetBytes("""{"category":"detention","urgency":"soon"}"""), "narrative: required" },
        { Encoding.UTF8.GetBytes($$"""{"category":"detention","narrative":"{{ProcessorHarness.Narrative}}","urgency":"soon","whereabouts":"{{ProcessorHarness.Narrative}}"}"""), "unknown-field" },
        { Encoding.UTF8.GetBytes($$"""{"category":"torture","narrative":"{{ProcessorHarness.Narrative}}","urgency":"later"}"""), "category: not-allowed; urgency: not-allowed" },
        { Encoding.UTF8.GetBytes($$"""{"category":"detention","narrative":"{{ProcessorHarness.Narrative}}","urgency":"soon","peopleCount":"{{ProcessorHarness.Narrative}}"}"""), "peopleCount: wrong-type" },
        { [.. Encoding.UTF8.GetBytes($$"""{"category":"detention","narrative":"{{ProcessorHarness.Narrative}} """), 0xC3, 0x28, .. "\",\"urgency\":\"soon\"}"u8], "$: not-utf8" },
        { Encoding.UTF8.GetBytes(ProcessorHarness.Narrative), "$: not-json" },
    };

    [Theory]
    [MemberData(nameof(InvalidTips))]
    public async Task Plaintext_that_is_not_a_valid_tip_is_quarantined_with_field_codes_and_never_its_text(byte[] plaintext, string expectedDetail)
    {
        var envelope = _h.EnvelopeFor(_h.BuildJwe(plaintext).Compact);
        var message = _h.MessageOf(envelope);

        var outcome = await _h.ProcessAsync(message);

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.TipInvalid), outcome);
        var entry = SingleQuarantined();
        Assert.Contains(expectedDetail, entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Narrative-7f3a", entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("Hoeryong", entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("whereabouts", entry.Detail, StringComparison.Ordinal);
        Assert.Equal(_h.Key.KeyId, entry.KeyId);
        Assert.Equal(message.Body.ToArray(), entry.Message.ToArray());
    }

    // ---- storage unavailable ----

    [Fact]
    public async Task Tip_store_unavailable_is_retried_and_stored_once_it_is_back()
    {
        _h.Store.Unavailable = true;
        var (message, envelope) = _h.ValidMessage();

        var outcome = await _h.ProcessAsync(message);

        Assert.IsType<ProcessingOutcome.RetryLater>(outcome);
        AssertNothingWritten();

        _h.Store.Unavailable = false;
        Assert.Equal(
            new ProcessingOutcome.Stored(envelope.TipId, "team-d", WasRedelivery: false),
            await _h.ProcessAsync(message with { DequeueCount = 2 }));
        Assert.Single(_h.Store.Tips);
    }

    [Fact]
    public async Task Quarantine_unavailable_is_retried_and_quarantined_once_it_is_back()
    {
        _h.Quarantine.Unavailable = true;
        var envelope = _h.EnvelopeFor(ProcessorHarness.FlipBit(_h.BuildJwe().Compact, 4, 0));
        var message = _h.MessageOf(envelope);

        var outcome = await _h.ProcessAsync(message);

        Assert.IsType<ProcessingOutcome.RetryLater>(outcome);
        AssertNothingWritten();

        _h.Quarantine.Unavailable = false;
        Assert.Equal(
            new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.TagMismatch),
            await _h.ProcessAsync(message with { DequeueCount = 2 }));
        Assert.Equal(2, SingleQuarantined().Attempts);
    }

    [Fact]
    public async Task Quarantine_unavailable_for_an_invalid_envelope_is_retried()
    {
        _h.Quarantine.Unavailable = true;

        var outcome = await _h.ProcessAsync(_h.MessageOf("garbage"u8.ToArray()));

        Assert.IsType<ProcessingOutcome.RetryLater>(outcome);
        AssertNothingWritten();
    }

    // ---- poison ----

    [Fact]
    public async Task Poison_message_with_a_valid_envelope_is_quarantined_under_its_tip_id_with_the_body_kept()
    {
        var (message, envelope) = _h.ValidMessage(dequeueCount: 5);

        var outcome = await _h.QuarantinePoisonAsync(message);

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.RetriesExhausted), outcome);
        var entry = SingleQuarantined();
        Assert.Equal(envelope.TipId, entry.Id);
        Assert.Equal(envelope.TipId, entry.TipId);
        Assert.Equal(QuarantineReason.RetriesExhausted, entry.Reason);
        Assert.Equal(message.Body.ToArray(), entry.Message.ToArray());
        Assert.Equal(5, entry.Attempts);
        Assert.Equal(0, _h.Key.UnwrapCalls);
    }

    [Fact]
    public async Task Poison_message_that_is_garbage_is_quarantined_under_a_hash_of_the_body()
    {
        var body = new byte[] { 0x01, 0xFF, 0x7B, 0x7D, 0x00 };

        var outcome = await _h.QuarantinePoisonAsync(_h.MessageOf(body, dequeueCount: 5));

        var quarantined = Assert.IsType<ProcessingOutcome.Quarantined>(outcome);
        Assert.Equal(QuarantineReason.RetriesExhausted, quarantined.Reason);
        Assert.Matches(MessageHashIdPattern, quarantined.QuarantineId);
        var entry = SingleQuarantined();
        Assert.Equal(quarantined.QuarantineId, entry.Id);
        Assert.Null(entry.TipId);
        Assert.Equal(body, entry.Message.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Same_poison_message_twice_leaves_one_quarantine_entry(bool validEnvelope)
    {
        var message = validEnvelope ? _h.ValidMessage(dequeueCount: 5).Message : _h.MessageOf("garbage"u8.ToArray(), 5);

        var first = await _h.QuarantinePoisonAsync(message);
        var second = await _h.QuarantinePoisonAsync(message with { MessageId = "redelivered" });

        Assert.Equal(first, second);
        Assert.Equal(2, _h.Quarantine.Puts);
        Assert.Equal(message.Body.ToArray(), SingleQuarantined().Message.ToArray());
    }

    [Fact]
    public async Task Poison_quarantine_unavailable_is_retried()
    {
        _h.Quarantine.Unavailable = true;

        var outcome = await _h.QuarantinePoisonAsync(_h.ValidMessage(dequeueCount: 5).Message);

        Assert.IsType<ProcessingOutcome.RetryLater>(outcome);
        AssertNothingWritten();
    }

    // ---- attempts ----

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task Quarantine_attempts_are_the_dequeue_count(long dequeueCount)
    {
        var tagMismatch = _h.MessageOf(_h.EnvelopeFor(ProcessorHarness.FlipBit(_h.BuildJwe().Compact, 3, 0)), dequeueCount);
        var garbage = _h.MessageOf("garbage"u8.ToArray(), dequeueCount);
        var poison = _h.ValidMessage(dequeueCount).Message;

        await _h.ProcessAsync(tagMismatch);
        await _h.ProcessAsync(garbage);
        await _h.QuarantinePoisonAsync(poison);

        Assert.Equal(3, _h.Quarantine.Entries.Count);
        Assert.All(_h.Quarantine.Entries, entry => Assert.Equal(dequeueCount, entry.Attempts));
    }
}
