using System.Text.Json;
using Azure.Storage.Queues;
using TipIntake.Core.Intake;

namespace TipIntake.Infrastructure.Storage;

/// <summary>Puts envelopes on <c>tips-inbound</c> (Base64, as the queue trigger expects).</summary>
public sealed class QueueTipInbox(QueueServiceClient queues) : ITipInbox
{
    private readonly QueueClient _queue = queues.GetQueueClient(StorageNames.InboundQueue);

    public async Task EnqueueAsync(TipEnvelope envelope, CancellationToken cancellationToken)
    {
        var body = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.TipEnvelope));
        try
        {
            await _queue.SendMessageAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Enqueue", ex);
        }
    }
}
