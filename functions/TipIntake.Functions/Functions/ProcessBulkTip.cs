using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Functions.Functions;

/// <summary>
/// Queue trigger on <c>tips-inbound-bulk</c>, the bulk lane: work paid below the suggested effort, processed while the
/// main lane is (nearly) empty and the Key Vault budget has room; otherwise put back to wait (docs/flood-control.md).
/// </summary>
public sealed class ProcessBulkTip(TipProcessor processor)
{
    [Function(nameof(ProcessBulkTip))]
    public async Task Run(
        [QueueTrigger(StorageNames.BulkQueue, Connection = StorageNames.Connection)] QueueMessage message,
        CancellationToken cancellationToken) =>
        QueueMessages.CompleteOrThrow(await processor.ProcessAsync(QueueMessages.ToInbound(message), Lane.Bulk, cancellationToken));
}
