using Azure.Storage.Queues;

namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// Puts envelopes on the lanes' queues, <c>tips-inbound</c> (main) and <c>tips-inbound-bulk</c> (Base64, as the queue
/// trigger expects), with no expiry: the queue's default time-to-live is seven days, after which an accepted tip still
/// waiting (processing stopped, a long outage, a long flood's bulk backlog) would be dropped silently.
/// </summary>
public sealed class QueueTipInbox(QueueServiceClient queues) : ITipInbox
{
    /// <summary>The REST API's "never expires" (<c>messagettl=-1</c>).</summary>
    public static readonly TimeSpan NeverExpires = TimeSpan.FromSeconds(-1);

    private readonly QueueClient _main = queues.GetQueueClient(StorageNames.InboundQueue);
    private readonly QueueClient _bulk = queues.GetQueueClient(StorageNames.BulkQueue);

    public Task EnqueueAsync(TipEnvelope envelope, Lane lane, CancellationToken cancellationToken) =>
        SendAsync(lane, BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(envelope, EnvelopeJsonContext.Default.TipEnvelope)), null, "Enqueue", cancellationToken);

    public Task RequeueAsync(Lane lane, ReadOnlyMemory<byte> message, TimeSpan delay, CancellationToken cancellationToken) =>
        SendAsync(lane, BinaryData.FromBytes(message), delay > TimeSpan.Zero ? delay : null, "Requeue", cancellationToken);

    public async Task<long> CountAsync(Lane lane, CancellationToken cancellationToken)
    {
        try
        {
            return (await QueueOf(lane).GetPropertiesAsync(cancellationToken).ConfigureAwait(false)).Value.ApproximateMessagesCount;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Counting a lane", ex);
        }
    }

    private async Task SendAsync(Lane lane, BinaryData body, TimeSpan? delay, string operation, CancellationToken cancellationToken)
    {
        await QueueOf(lane).SendMessageAsync(body, visibilityTimeout: delay, timeToLive: NeverExpires, cancellationToken)
            .OrUnavailableAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    private QueueClient QueueOf(Lane lane) => lane == Lane.Bulk ? _bulk : _main;
}
