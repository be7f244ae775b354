using System.Text.Json;
using Azure.Storage.Queues;
using TipIntake.Core.Intake;

namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// Puts envelopes on <c>tips-inbound</c> (Base64, as the queue trigger expects) with no expiry: the queue's default
/// time-to-live is seven days, after which an accepted tip still waiting (processing stopped, a long outage) would be
/// dropped silently.
/// </summary>
public sealed class QueueTipInbox(QueueServiceClient queues) : ITipInbox
{
    /// <summary>The REST API's "never expires" (<c>messagettl=-1</c>).</summary>
    public static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _queue = queues.GetQueueClient(StorageNames.InboundQueue);

    public async Task EnqueueAsync(TipEnvelope envelope, CancellationToken cancellationToken)
    {
        var body = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.TipEnvelope));
        try
        {
            await _queue.SendMessageAsync(body, visibilityTimeout: null, timeToLive: NeverExpires, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Enqueue", ex);
        }
    }
}
