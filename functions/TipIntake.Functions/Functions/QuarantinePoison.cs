using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Processing;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Functions.Functions;

/// <summary>Queue trigger on <c>tips-inbound-poison</c>: what outlasted its retries is kept in the quarantine, never dropped.</summary>
public sealed class QuarantinePoison(TipProcessor processor)
{
    [Function(nameof(QuarantinePoison))]
    public async Task Run(
        [QueueTrigger(StorageNames.PoisonQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        QueueMessages.CompleteOrThrow(await processor.QuarantinePoisonAsync(QueueMessages.ToInbound(message), cancellationToken));
}
