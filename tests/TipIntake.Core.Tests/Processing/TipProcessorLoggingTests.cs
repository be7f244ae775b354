using System.Text;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Processing;
using TipIntake.Core.Tests.Jwe;

namespace TipIntake.Core.Tests.Processing;

/// <summary>Whatever happens to a message, the processor's logs hold ids and codes, never content or key material.</summary>
public class TipProcessorLoggingTests
{
    private readonly ProcessorHarness _h = new();

    /// <summary>Runs one message through every path the processor has, all with the same tip, receipt hash and wrapped key.</summary>
    private async Task<List<ProcessingOutcome>> RunEveryPathAsync(JweFactory.Built jwe)
    {
        var envelope = _h.EnvelopeFor(jwe.Compact);
        var message = _h.MessageOf(envelope);
        var outcomes = new List<ProcessingOutcome>();

        outcomes.Add(await _h.ProcessAsync(message)); // stored (or tip-invalid)
        outcomes.Add(await _h.ProcessAsync(message)); // redelivery

        foreach (var failure in Enum.GetValues<IntakeKeyFailure>())
        {
            _h.Key.UnwrapFailure = failure;
            outcomes.Add(await _h.ProcessAsync(_h.MessageOf(_h.EnvelopeFor(jwe.Compact), 3)));
        }

        _h.Key.UnwrapFailure = null;
        _h.Store.Unavailable = true;
        outcomes.Add(await _h.ProcessAsync(_h.MessageOf(_h.EnvelopeFor(jwe.Compact), 2)));
        _h.Store.Unavailable = false;

        outcomes.Add(await _h.ProcessAsync(_h.MessageOf(_h.EnvelopeFor(ProcessorHarness.FlipBit(jwe.Compact, 4, 3)))));
        outcomes.Add(await _h.ProcessAsync(_h.MessageOf(_h.EnvelopeFor(jwe.Compact.Replace('.', '!')))));

        _h.Quarantine.Unavailable = true;
        outcomes.Add(await _h.ProcessAsync(_h.MessageOf(_h.EnvelopeFor(ProcessorHarness.FlipBit(jwe.Compact, 3, 1)))));
        _h.Quarantine.Unavailable = false;

        outcomes.Add(await _h.QuarantinePoisonAsync(_h.MessageOf(_h.EnvelopeFor(jwe.Compact), 5)));
        outcomes.Add(await _h.QuarantinePoisonAsync(_h.MessageOf(Encoding.UTF8.GetBytes(ProcessorHarness.Narrative), 5)));
        return outcomes;
    }

    private void AssertLogsHoldNothingSecret(JweFactory.Built jwe)
    {
        var logs = _h.Logger.AllText;
        var wrappedKey = jwe.Segments[1];
        Assert.True(JoseBase64.TryDecode(wrappedKey, out var wrappedKeyBytes));

        Assert.NotEmpty(_h.Logger.Lines);
        Assert.DoesNotContain("Narrative-7f3a", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Hoeryong", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Contact-91c2", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_h.ReceiptHash, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(wrappedKey[..16], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(wrappedKeyBytes)[..16], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(wrappedKeyBytes)[..16], logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(jwe.ContentKey)[..16], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(jwe.Segments[3][..16], logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_of_every_path_hold_no_narrative_receipt_hash_or_wrapped_key()
    {
        var jwe = _h.BuildJwe();

        var outcomes = await RunEveryPathAsync(jwe);

        // Every kind of outcome was reached, so every kind of log line was written.
        Assert.Contains(outcomes, o => o is ProcessingOutcome.Stored { WasRedelivery: false });
        Assert.Contains(outcomes, o => o is ProcessingOutcome.Stored { WasRedelivery: true });
        Assert.Contains(outcomes, o => o is ProcessingOutcome.RetryLater);
        Assert.Contains(outcomes, o => o is ProcessingOutcome.Quarantined);
        Assert.True(_h.Logger.Lines.Count >= outcomes.Count, $"{_h.Logger.Lines.Count} lines for {outcomes.Count} messages");
        AssertLogsHoldNothingSecret(jwe);
    }

    [Fact]
    public async Task Logs_of_an_invalid_tip_hold_no_narrative_or_field_names()
    {
        var jwe = _h.BuildJwe(
            $$"""{"category":"detention","narrative":"{{ProcessorHarness.Narrative}}","urgency":"soon","Hoeryong":"{{ProcessorHarness.Contact}}"}""");

        var outcomes = await RunEveryPathAsync(jwe);

        Assert.Contains(outcomes, o => o is ProcessingOutcome.Quarantined { Reason: QuarantineReason.TipInvalid });
        AssertLogsHoldNothingSecret(jwe);
    }

    [Fact]
    public async Task Shipped_lines_name_the_reason_but_only_the_debug_twin_names_the_tip()
    {
        var envelope = _h.EnvelopeFor(ProcessorHarness.FlipBit(_h.BuildJwe().Compact, 4, 0));

        await _h.ProcessAsync(_h.MessageOf(envelope));

        Assert.Equal(2, _h.Logger.Lines.Count);
        var shipped = Assert.Single(_h.Logger.Lines, l => !l.StartsWith("Debug", StringComparison.Ordinal));
        var debug = Assert.Single(_h.Logger.Lines, l => l.StartsWith("Debug", StringComparison.Ordinal));
        Assert.StartsWith("Warning 2003:", shipped, StringComparison.Ordinal);
        Assert.Contains("tag-mismatch", shipped, StringComparison.Ordinal);
        Assert.DoesNotContain(envelope.TipId, shipped, StringComparison.Ordinal);
        Assert.Contains(envelope.TipId, debug, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_line_above_debug_names_a_tip_whatever_the_outcome()
    {
        var stored = _h.EnvelopeFor(_h.BuildJwe().Compact);
        await _h.ProcessAsync(_h.MessageOf(stored));
        await _h.ProcessAsync(_h.MessageOf(stored));
        var tampered = _h.EnvelopeFor(ProcessorHarness.FlipBit(_h.BuildJwe().Compact, 4, 0));
        await _h.ProcessAsync(_h.MessageOf(tampered));

        Assert.Contains(_h.Logger.Lines, l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains(stored.TipId, StringComparison.Ordinal));
        Assert.DoesNotContain(_h.Logger.Lines, l => !l.StartsWith("Debug", StringComparison.Ordinal)
            && (l.Contains(stored.TipId, StringComparison.Ordinal) || l.Contains(tampered.TipId, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_imminent_tip_stored_is_announced_once_with_its_triage_queue_only()
    {
        var jwe = _h.BuildJwe(ProcessorHarness.ValidTipJson.Replace("\"urgency\":\"soon\"", "\"urgency\":\"imminent\"", StringComparison.Ordinal));
        var envelope = _h.EnvelopeFor(jwe.Compact);
        var message = _h.MessageOf(envelope);

        await _h.ProcessAsync(message);
        await _h.ProcessAsync(message); // a redelivery announces nothing new

        // The staff alert (infra/modules/alerts.bicep) is built on exactly this line: no tip id, no content, no receipt.
        var announcement = Assert.Single(_h.Logger.Lines, line => line.Contains(" 6001: ", StringComparison.Ordinal));
        Assert.Equal("Information 6001: Imminent tip waiting in triage queue urgent [TriageQueue=urgent, {OriginalFormat}=Imminent tip waiting in triage queue {TriageQueue}] ", announcement);
        Assert.DoesNotContain(envelope.TipId, announcement, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tip_that_is_not_imminent_is_not_announced()
    {
        await _h.ProcessAsync(_h.MessageOf(_h.EnvelopeFor(_h.BuildJwe().Compact)));

        Assert.DoesNotContain(_h.Logger.Lines, line => line.Contains(" 6001: ", StringComparison.Ordinal));
        Assert.Contains(_h.Logger.Lines, line => line.Contains(" 2001: ", StringComparison.Ordinal));
    }
}
