using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Processing;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Functions.Functions;

/// <summary>Queue trigger on <c>tips-inbound-bulk-poison</c>: the bulk lane's, the same way.</summary>
public sealed class QuarantineBulkPoison(TipProcessor processor)
{
    [Function(nameof(QuarantineBulkPoison))]
    public async Task Run(
        [QueueTrigger(StorageNames.BulkPoisonQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        QueueMessages.CompleteOrThrow(await processor.QuarantinePoisonAsync(QueueMessages.ToInbound(message), cancellationToken));
}
