using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Core.Tests.Processing;
using TipIntake.Core.Tips;
using TipIntake.Testing;

namespace TipIntake.Core.Tests.FollowUp;

/// <summary>The processor's side of enrolment: the tip's follow-up state, and the key row written after the tip, on a redelivery too.</summary>
public class EnrolmentProcessingTests
{
    private sealed class FakeFollowUpStore : IFollowUpStore
    {
        public Dictionary<(string, string), FollowUpThread> Rows { get; } = [];

        public int Puts { get; private set; }

        public bool Unavailable { get; set; }

        public Task PutThreadAsync(FollowUpThread thread, CancellationToken cancellationToken)
        {
            if (Unavailable)
            {
                throw new StorageUnavailableException("follow-up keys unavailable (forced)");
            }

            Puts++;
            Rows[(thread.LookupHash, thread.TipId)] = thread;
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<FollowUpThread>> FindThreadsAsync(string lookupHash, int max, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<string?> ReadStatusAsync(string triageQueue, string tipId, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private readonly ProcessorHarness _harness = new();
    private readonly FakeFollowUpStore _keys = new();
    private readonly CapturingLogger<FollowUpEnrolments> _enrolmentLog = new();
    private readonly TipProcessor _processor;

    public EnrolmentProcessingTests()
    {
        var routing = new RoutingOptions();
        routing.Rules.Add(new RoutingRule { Category = TipCategories.Detention, Urgency = TipUrgencies.Soon, Queue = "team-d", Priority = 2 });
        _processor = new TipProcessor(
            _harness.Key, _harness.Store, _harness.Quarantine, _harness.ClaimChecks, new TipRouter(Options.Create(routing)),
            new FixedTimeProvider(ProcessorHarness.Now), _harness.Logger,
            followUp: new FollowUpEnrolments(FollowUpKeysTests.VectorSecrets(), _keys, _enrolmentLog));
    }

    private InboundMessage MessageWith(JsonNode? followUp, out TipEnvelope envelope)
    {
        var tip = JsonNode.Parse(ProcessorHarness.ValidTipJson)!.AsObject();
        tip["followUp"] = followUp;
        envelope = _harness.EnvelopeFor(_harness.BuildJwe(tip.ToJsonString()).Compact);
        return _harness.MessageOf(envelope);
    }

    [Fact]
    public async Task A_valid_member_stores_the_tip_active_and_its_key_row_once_even_when_redelivered()
    {
        var member = FollowUpReaderTests.ValidMember();
        var message = MessageWith(member, out var envelope);

        Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(message, default));
        var redelivered = Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(message, default));

        Assert.True(redelivered.WasRedelivery);
        var stored = Assert.Single(_harness.Store.Tips);
        Assert.Equal(FollowUpStates.Active, stored.FollowUp!.State);
        var row = Assert.Single(_keys.Rows.Values);
        Assert.Equal(2, _keys.Puts);
        Assert.Equal((stored.FollowUp.LookupHash, envelope.TipId, "team-d"), (row.LookupHash, row.TipId, row.TriageQueue));
        Assert.Equal(member["sealedKey"]!.GetValue<string>(), row.SealedKey);
        Assert.Equal(FollowUpKeysTests.VectorSecrets().ThreadRefOf(envelope.TipId), row.Ref);

        // L is hashed and goes no further: not in the stored tip, the key row or a log.
        var lookup = member["lookup"]!.GetValue<string>();
        Assert.DoesNotContain(lookup, stored.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(lookup, row.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(lookup, _harness.Logger.AllText + _enrolmentLog.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_row_that_cannot_be_written_retries_the_message_and_the_redelivery_writes_it()
    {
        var message = MessageWith(FollowUpReaderTests.ValidMember(), out _);
        _keys.Unavailable = true;
        Assert.IsType<ProcessingOutcome.RetryLater>(await _processor.ProcessAsync(message, default));

        _keys.Unavailable = false;
        Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(message, default));
        Assert.Single(_keys.Rows);
        Assert.Single(_harness.Store.Tips);
    }

    [Fact]
    public async Task A_rejected_member_stores_the_tip_with_the_reason_and_no_key_row()
    {
        var member = FollowUpReaderTests.ValidMember();
        member["sealedKey"] = "short";
        var message = MessageWith(member, out var envelope);

        Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(message, default));

        Assert.Equal("rejected:sealed-key-invalid", Assert.Single(_harness.Store.Tips).FollowUp!.State);
        Assert.Empty(_keys.Rows);
        Assert.Contains("sealed-key-invalid", _enrolmentLog.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(envelope.TipId, _enrolmentLog.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tip_without_the_member_is_stored_with_none()
    {
        Assert.IsType<ProcessingOutcome.Stored>(await _processor.ProcessAsync(MessageWith(null, out _), default));
        Assert.Equal(FollowUpStates.None, Assert.Single(_harness.Store.Tips).FollowUp!.State);
        Assert.Equal(0, _keys.Puts);
    }
}
