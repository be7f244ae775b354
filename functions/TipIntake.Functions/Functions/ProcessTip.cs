using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Functions.Functions;

/// <summary>
/// Queue trigger on <c>tips-inbound</c>, the main lane: hands the message to the processor. Returning completes the
/// message (stored, quarantined, or deferred to a lane); throwing makes the queue retry it, and after maxDequeueCount
/// move it to the poison queue.
/// </summary>
public sealed class ProcessTip(TipProcessor processor)
{
    [Function(nameof(ProcessTip))]
    public async Task Run(
        [QueueTrigger(StorageNames.InboundQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        QueueMessages.CompleteOrThrow(await processor.ProcessAsync(QueueMessages.ToInbound(message), Lane.Main, cancellationToken));
}
