using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using TipIntake.Core.Attachments;

namespace TipIntake.Infrastructure.Attachments;

/// <summary>
/// Uploads in Azure Storage (docs/attachments.md, "Storage"): table <c>Uploads</c> (PartitionKey the upload id, RowKey
/// <c>upload</c>) and the block blob <c>attachments-staging/&lt;upload id&gt;</c>, one block per chunk (Put Block), committed
/// in index order (Put Block List). Staged blocks that nobody commits disappear after a week (an Azure rule). The row
/// keeps the day it was made, never a finer time, and the day of the open-upload slot it holds (<c>Slot</c>), given
/// back to the counters beside it (<see cref="TableOpenUploadLedger"/>) when the row is deleted.
/// </summary>
public sealed class AzureUploadStore(TableServiceClient tables, BlobServiceClient blobs, TimeProvider time) : IUploadStore
{
    public const string RowKey = "upload";

    private static readonly BlobHttpHeaders CiphertextHeaders = new() { ContentType = "application/octet-stream" };

    private readonly TableClient _uploads = tables.GetTableClient(StorageNames.UploadsTable);
    private readonly BlobContainerClient _staging = blobs.GetBlobContainerClient(StorageNames.AttachmentsStagingContainer);
    private readonly TableOpenUploadLedger _openUploads = new(tables);

    public async Task<UploadRecord?> GetAsync(UploadId upload, CancellationToken cancellationToken)
    {
        try
        {
            var row = await _uploads.GetEntityIfExistsAsync<TableEntity>(upload.ToString(), RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return row.HasValue ? RecordOf(row.Value!) : null;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Reading an upload", ex);
        }
    }

    public async Task<bool> TryCreateAsync(UploadId upload, UploadRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        try
        {
            await _uploads.AddEntityAsync(EntityOf(upload, record), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Creating an upload", ex);
        }
    }

    public async Task StageAsync(UploadId upload, string blockId, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        try
        {
            using var content = BinaryData.FromBytes(chunk).ToStream();
            await Blob(upload).StageBlockAsync(blockId, content, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Staging a chunk", ex);
        }
    }

    public async Task<IReadOnlyList<string>> ListBlocksAsync(UploadId upload, CancellationToken cancellationToken)
    {
        try
        {
            var list = (await Blob(upload).GetBlockListAsync(BlockListTypes.All, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
            return [.. list.CommittedBlocks.Concat(list.UncommittedBlocks).Select(b => b.Name)];
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return [];
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Listing an upload's chunks", ex);
        }
    }

    public async Task CommitAsync(UploadId upload, IReadOnlyList<string> blockIds, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(upload).CommitBlockListAsync(blockIds, new CommitBlockListOptions { HttpHeaders = CiphertextHeaders }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Committing an upload", ex);
        }
    }

    public async Task MarkCompleteAsync(UploadId upload, UploadRecord completed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completed);
        try
        {
            var entity = EntityOf(upload, completed);
            entity.Remove("Day");
            await _uploads.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Completing an upload", ex);
        }
    }

    public async Task ClaimAsync(UploadId upload, string tipId, int number, CancellationToken cancellationToken)
    {
        // A merge of this one column: a completion merged at the same moment keeps its state and digests.
        var claim = new TableEntity(upload.ToString(), RowKey) { ["ClaimedBy"] = ClaimOf(tipId, number) };
        try
        {
            await _uploads.UpdateEntityAsync(claim, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No row (yet, or any more): the tip's awaited row is what the sweep looks for.
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Claiming an upload", ex);
        }
    }

    public async IAsyncEnumerable<UploadListing> ListCreatedByAsync(DateOnly day, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The day as written (yyyy-MM-dd) sorts as it reads, so the table filters it.
        var filter = TableClient.CreateQueryFilter($"Day le {day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        var rows = _uploads.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await NextAsync(rows, cancellationToken).ConfigureAwait(false))
            {
                var row = rows.Current;
                if (UploadId.TryParse(row.PartitionKey, out var upload)
                    && DateOnly.TryParseExact(row.GetString("Day"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var made))
                {
                    yield return new UploadListing(upload, RecordOf(row), made, row.GetString("ClaimedBy"));
                }
            }
        }
        finally
        {
            await rows.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task DeleteAsync(UploadId upload, CancellationToken cancellationToken)
    {
        // The row is deleted under the ETag it was read with, so only the call that deleted it gives its slot back; a
        // row claimed or completed in between is read again, and one already gone was deleted, and its slot given back,
        // by an earlier attempt or another instance. A crash in between loses the give-back: the slot then stops counting
        // once its day leaves the window.
        await _uploads.UpdateUnderETagAsync(upload.ToString(), RowKey, ["Slot"], async row =>
        {
            await _uploads.DeleteEntityAsync(upload.ToString(), RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
            if (TableOpenUploadLedger.DayOf(row.GetString("Slot")) is { } slot)
            {
                await _openUploads.ReleaseAsync(slot, cancellationToken).ConfigureAwait(false);
            }
        }, attempts: 8, "Deleting an upload's row", cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>ClaimedBy</c>: the tip id and the file's number, as the tip's <c>Attachments</c> row key.</summary>
    public static string ClaimOf(string tipId, int number) => $"{tipId}/{AzureTipAttachmentStore.RowKeyOf(number)}";

    private static async Task<bool> NextAsync(IAsyncEnumerator<TableEntity> rows, CancellationToken cancellationToken)
    {
        try
        {
            return await rows.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Listing uploads", ex);
        }
    }

    private BlockBlobClient Blob(UploadId upload) => _staging.GetBlockBlobClient(upload.ToString());

    private TableEntity EntityOf(UploadId upload, UploadRecord record)
    {
        var entity = new TableEntity(upload.ToString(), RowKey)
        {
            ["Chunks"] = record.Chunks,
            ["ChunkBytes"] = record.ChunkBytes,
            ["State"] = record.Complete ? "complete" : "open",
            ["Day"] = time.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        if (record.Slot is { } slot)
        {
            entity["Slot"] = TableOpenUploadLedger.KeyOf(slot);
        }

        if (record.Complete)
        {
            entity["Digest"] = record.Digest;
            entity["ChunkDigests"] = record.ChunkDigests!.SelectMany(d => d).ToArray();
        }

        return entity;
    }

    private static UploadRecord RecordOf(TableEntity row)
    {
        var complete = row.GetString("State") == "complete";
        var digests = complete ? row.GetBinary("ChunkDigests") : null;
        return new UploadRecord(
            row.GetInt32("Chunks") ?? 0,
            row.GetInt32("ChunkBytes") ?? 0,
            complete,
            complete ? row.GetBinary("Digest") : null,
            digests?.Chunk(UploadDigest.DigestBytes).ToList(),
            TableOpenUploadLedger.DayOf(row.GetString("Slot")));
    }
}
