using System.Text;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;

namespace TipIntake.Core.Tests.Processing;

/// <summary>Envelopes whose JWE waits in the claim-check store (too large for one queue message).</summary>
public class ClaimCheckProcessingTests
{
    private readonly ProcessorHarness _h = new();

    [Fact]
    public async Task Claim_checked_tip_is_stored_and_its_JWE_deleted_afterwards()
    {
        var envelope = _h.ClaimCheckedEnvelopeFor(_h.BuildJwe().Compact);

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(new ProcessingOutcome.Stored(envelope.TipId, "team-d", WasRedelivery: false), outcome);
        Assert.Equal(ProcessorHarness.ValidTip, Assert.Single(_h.Store.Tips).Tip);
        Assert.Empty(_h.ClaimChecks.Items);
    }

    [Fact]
    public async Task Redelivery_after_the_JWE_was_deleted_is_recognised_as_stored()
    {
        var envelope = _h.ClaimCheckedEnvelopeFor(_h.BuildJwe().Compact);
        await _h.ProcessAsync(_h.MessageOf(envelope));

        var again = await _h.ProcessAsync(_h.MessageOf(envelope, dequeueCount: 2));

        Assert.Equal(new ProcessingOutcome.Stored(envelope.TipId, "team-d", WasRedelivery: true), again);
        Assert.Single(_h.Store.Tips);
        Assert.Empty(_h.Quarantine.Entries);
    }

    [Fact]
    public async Task Missing_JWE_of_a_tip_never_stored_is_quarantined_with_the_envelope_kept()
    {
        var envelope = _h.ClaimCheckedEnvelopeFor(_h.BuildJwe().Compact);
        await _h.ClaimChecks.DeleteAsync(envelope.TipId, CancellationToken.None);
        var message = _h.MessageOf(envelope);

        var outcome = await _h.ProcessAsync(message);

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.JweMissing), outcome);
        var entry = Assert.Single(_h.Quarantine.Entries);
        Assert.Equal(message.Body.ToArray(), entry.Message.ToArray());
        Assert.Empty(_h.Store.Tips);
    }

    [Fact]
    public async Task Unreachable_claim_check_store_means_retry_and_nothing_written()
    {
        var envelope = _h.ClaimCheckedEnvelopeFor(_h.BuildJwe().Compact);
        _h.ClaimChecks.Unavailable = true;

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.IsType<ProcessingOutcome.RetryLater>(outcome);
        Assert.Empty(_h.Store.Tips);
        Assert.Empty(_h.Quarantine.Entries);
    }

    [Fact]
    public async Task Failed_delete_after_storing_still_completes_the_message_and_says_retention_will_clean_up()
    {
        var envelope = _h.ClaimCheckedEnvelopeFor(_h.BuildJwe().Compact);
        _h.ClaimChecks.DeletesFail = true;

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.IsType<ProcessingOutcome.Stored>(outcome);
        Assert.True(_h.ClaimChecks.Items.ContainsKey(envelope.TipId));
        Assert.Contains(_h.Logger.Lines, line => line.Contains("retention will remove it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tampered_claim_checked_JWE_is_quarantined_and_the_JWE_kept_for_replay()
    {
        var tampered = ProcessorHarness.FlipBit(_h.BuildJwe().Compact, segment: 3, byteIndex: 0);
        var envelope = _h.ClaimCheckedEnvelopeFor(tampered);

        var outcome = await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(new ProcessingOutcome.Quarantined(envelope.TipId, QuarantineReason.TagMismatch), outcome);
        Assert.Equal(tampered, _h.ClaimChecks.Items[envelope.TipId]);
    }

    [Theory]
    [InlineData("""{"v":1,"tipId":"{id}","receivedHour":"2025-06-15T13:00:00+00:00","receiptHash":"h","jwe":"a.b.c.d.e","jweRef":"{id}"}""")]
    [InlineData("""{"v":1,"tipId":"{id}","receivedHour":"2025-06-15T13:00:00+00:00","receiptHash":"h"}""")]
    [InlineData("""{"v":1,"tipId":"{id}","receivedHour":"2025-06-15T13:00:00+00:00","receiptHash":"h","jweRef":"../{id}"}""")]
    [InlineData("""{"v":1,"tipId":"{id}","receivedHour":"2025-06-15T13:00:00+00:00","receiptHash":"h","jweRef":""}""")]
    [InlineData("""{"v":1,"tipId":"{id}","receivedHour":"2025-06-15T13:00:00+00:00","receiptHash":"h","jwe":null,"jweRef":null}""")]
    public async Task Envelope_with_both_or_neither_JWE_or_a_bad_reference_is_invalid(string template)
    {
        var body = Encoding.UTF8.GetBytes(template.Replace("{id}", TipIntakeService.NewTipId(), StringComparison.Ordinal));

        var outcome = await _h.ProcessAsync(_h.MessageOf(body));

        Assert.Equal(QuarantineReason.EnvelopeInvalid, Assert.IsType<ProcessingOutcome.Quarantined>(outcome).Reason);
    }
}
