using Azure.Storage.Queues;

namespace TipIntake.Infrastructure.Storage;

/// <summary>Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Create the queues, tables and container at start-up. On in local development; in Azure the Bicep templates create them.</summary>
    public bool CreateIfMissing { get; set; } = true;
}

/// <summary>Creates the queues, tables and blob containers before the host serves anything, when configured to.</summary>
public sealed class StorageInitializer(
    QueueServiceClient queues, TableServiceClient tables, BlobServiceClient blobs, IOptions<StorageOptions> options)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.CreateIfMissing)
        {
            return;
        }

        foreach (var queue in (string[])[StorageNames.InboundQueue, StorageNames.PoisonQueue, StorageNames.BulkQueue, StorageNames.BulkPoisonQueue])
        {
            await queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        foreach (var table in (string[])[StorageNames.TipsTable, StorageNames.QuarantineTable, StorageNames.NotesTable, StorageNames.EventsTable, StorageNames.IndexTable, StorageNames.RelationsTable, StorageNames.FloodControlTable, StorageNames.FollowUpKeysTable, StorageNames.MessagesTable, StorageNames.UploadsTable, StorageNames.AttachmentsTable])
        {
            await tables.CreateTableIfNotExistsAsync(table, cancellationToken).ConfigureAwait(false);
        }

        foreach (var container in (string[])[StorageNames.ClaimCheckContainer, StorageNames.BackupContainer, StorageNames.AttachmentsStagingContainer, StorageNames.AttachmentsContainer])
        {
            await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
