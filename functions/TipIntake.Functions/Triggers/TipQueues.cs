using Azure.Storage.Queues.Models;
using TipIntake.Core.Processing;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// The queue triggers, one per lane and poison queue, all handing the message to the processor
/// (docs/flood-control.md, "Lanes"). Returning completes the message (stored, quarantined, or deferred: its copy is
/// already back on a lane); throwing makes the queue deliver it again, and after maxDequeueCount move it to the poison
/// queue, whose function keeps it in the quarantine, never dropped.
/// </summary>
public sealed class TipQueues(TipProcessor processor)
{
    /// <summary><c>tips-inbound</c>, the main lane.</summary>
    [Function("ProcessTip")]
    public Task Main(
        [QueueTrigger(StorageNames.InboundQueue, Connection = StorageNames.Connection)] QueueMessage message, CancellationToken cancellationToken) =>
        Complete(processor.ProcessAsync(ToInbound(message), Lane.Main, cancellationToken));

    /// <summary>
    /// <c>tips-inbound-bulk</c>, the bulk lane: work paid below the suggested effort, processed while the main lane is
    /// (nearly) empty and the Key Vault budget has room; otherwise put back to wait.
    /// </summary>
    [Function("ProcessBulkTip")]
    public Task Bulk(
        [QueueTrigger(StorageNames.BulkQueue, Connection = StorageNames.Connection)] QueueMessage message, CancellationToken cancellationToken) =>
        Complete(processor.ProcessAsync(ToInbound(message), Lane.Bulk, cancellationToken));

    [Function("QuarantinePoison")]
    public Task Poison(
        [QueueTrigger(StorageNames.PoisonQueue, Connection = StorageNames.Connection)] QueueMessage message, CancellationToken cancellationToken) =>
        Complete(processor.QuarantinePoisonAsync(ToInbound(message), cancellationToken));

    [Function("QuarantineBulkPoison")]
    public Task BulkPoison(
        [QueueTrigger(StorageNames.BulkPoisonQueue, Connection = StorageNames.Connection)] QueueMessage message, CancellationToken cancellationToken) =>
        Complete(processor.QuarantinePoisonAsync(ToInbound(message), cancellationToken));

    private static InboundMessage ToInbound(QueueMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new InboundMessage(message.MessageId, message.Body.ToMemory(), message.DequeueCount);
    }

    private static async Task Complete(Task<ProcessingOutcome> processing)
    {
        if (await processing is ProcessingOutcome.RetryLater retry)
        {
            throw new RetryLaterException(retry.Reason);
        }
    }
}
