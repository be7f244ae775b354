using Azure.Storage.Blobs.Models;
using TipIntake.Core;
using TipIntake.Core.Attachments;

namespace TipIntake.Infrastructure.Attachments;

/// <summary>
/// A tip's files in Azure Storage (docs/attachments.md, "Storage"): table <c>Attachments</c> (PartitionKey the tip id,
/// RowKey the number as two digits) and the attached ciphertext at <c>attachments/&lt;tip id&gt;/&lt;n&gt;</c>.
/// </summary>
public sealed class AzureTipAttachmentStore(TableServiceClient tables, BlobServiceClient blobs) : ITipAttachmentStore
{
    private readonly TableClient _rows = tables.GetTableClient(StorageNames.AttachmentsTable);
    private readonly BlobContainerClient _files = blobs.GetBlobContainerClient(StorageNames.AttachmentsContainer);

    /// <summary>The blob of an attached file.</summary>
    public static string BlobNameOf(string tipId, int number) => $"{tipId}/{number}";

    public static string RowKeyOf(int number) => number.ToString("00", CultureInfo.InvariantCulture);

    public async Task PutAsync(TipAttachment attachment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        try
        {
            await _rows.UpsertEntityAsync(EntityOf(attachment), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Writing an attachment's row", ex);
        }
    }

    public Task<bool> TryAddAsync(TipAttachment attachment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        return _rows.TryAddOrUnavailableAsync(EntityOf(attachment), "Adding an attachment's row", cancellationToken);
    }

    public async Task<TipAttachment?> GetAsync(string tipId, int number, CancellationToken cancellationToken)
    {
        var row = await _rows.FindOrUnavailableAsync(tipId, RowKeyOf(number), select: null, "Reading an attachment's row", cancellationToken)
            .ConfigureAwait(false);
        return row is null ? null : AttachmentOf(row);
    }

    public async Task<IReadOnlyList<TipAttachment>> ListAsync(string tipId, CancellationToken cancellationToken)
    {
        var found = new List<TipAttachment>();
        await foreach (var row in _rows.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {tipId}"), select: null, "Listing a tip's attachments", cancellationToken).ConfigureAwait(false))
        {
            found.Add(AttachmentOf(row));
        }

        return [.. found.OrderBy(a => a.Number)];
    }

    public async Task<Stream?> OpenCiphertextAsync(string tipId, int number, int chunkBytes, CancellationToken cancellationToken)
    {
        try
        {
            return await _files.GetBlobClient(BlobNameOf(tipId, number))
                .OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = chunkBytes }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Opening an attached file", ex);
        }
    }

    public async IAsyncEnumerable<(TipAttachment Attachment, DateTimeOffset WrittenAt)> ListAwaitedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Every partition: awaited rows are few, and the sweep asks every 15 minutes, not per request.
        var filter = TableClient.CreateQueryFilter($"State eq {Codes.Of(AttachmentState.Awaited)}");
        var rows = _rows.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await rows.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
                {
                    throw StorageFailures.Wrap("Listing awaited attachments", ex);
                }

                yield return (AttachmentOf(rows.Current), rows.Current.Timestamp ?? DateTimeOffset.MinValue);
            }
        }
        finally
        {
            await rows.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlySet<string>> ListTipIdsAsync(CancellationToken cancellationToken)
    {
        var tipIds = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await foreach (var row in _rows.QueryAsync<TableEntity>(filter: (string?)null, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                tipIds.Add(row.PartitionKey);
            }

            // One level of the container: "<tip id>/" prefixes (and "quarantine/", which names no tip).
            await foreach (var item in _files.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", prefix: null, cancellationToken).ConfigureAwait(false))
            {
                if (item.IsPrefix && Core.Triage.TriageIds.IsTipId(item.Prefix.TrimEnd('/')))
                {
                    tipIds.Add(item.Prefix.TrimEnd('/'));
                }
            }
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Listing the tips with files", ex);
        }

        return tipIds;
    }

    public async Task<int> DeleteAllAsync(string tipId, CancellationToken cancellationToken)
    {
        try
        {
            // The files first: should the run stop in between, what is left is rows that open nothing.
            await foreach (var blob in _files.GetBlobsAsync(BlobTraits.None, BlobStates.None, tipId + "/", cancellationToken).ConfigureAwait(false))
            {
                await _files.DeleteBlobIfExistsAsync(blob.Name, DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var deleted = 0;
            await foreach (var row in _rows.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tipId}"), select: ["RowKey"], cancellationToken: cancellationToken)
                .ConfigureAwait(false))
            {
                await _rows.DeleteEntityAsync(tipId, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
                deleted++;
            }

            return deleted;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Purging a tip's attachments", ex);
        }
    }

    private static TableEntity EntityOf(TipAttachment attachment)
    {
        var entry = attachment.Entry;
        return new TableEntity(attachment.TipId, RowKeyOf(attachment.Number))
        {
            ["State"] = Codes.Of(attachment.State),
            ["Upload"] = entry.Upload,
            ["Digest"] = entry.Digest,
            ["Chunks"] = entry.Chunks,
            ["ChunkBytes"] = entry.ChunkBytes,
            ["KeyId"] = entry.KeyId,
            ["WrappedKey"] = entry.WrappedKey,
            ["Size"] = entry.Size,
            ["Sha256"] = entry.Sha256,
            ["Type"] = entry.Type,
            ["Name"] = entry.Name,
            ["Handling"] = entry.Handling,
            ["Removed"] = string.Join(' ', entry.Removed),
        };
    }

    private static TipAttachment AttachmentOf(TableEntity row)
    {
        var entry = new AttachmentEntry(
            row.GetString("Upload") ?? "",
            row.GetBinary("Digest") ?? [],
            row.GetInt32("Chunks") ?? 0,
            row.GetInt32("ChunkBytes") ?? 0,
            row.GetString("KeyId") ?? "",
            row.GetString("WrappedKey") ?? "",
            row.GetInt64("Size") ?? 0,
            row.GetBinary("Sha256") ?? [],
            row.GetString("Type") ?? "",
            row.GetString("Name") ?? "",
            row.GetString("Handling") ?? "",
            (row.GetString("Removed") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var state = Enum.GetValues<AttachmentState>().FirstOrDefault(s => Codes.Of(s) == row.GetString("State"));
        return new TipAttachment(row.PartitionKey, int.Parse(row.RowKey, CultureInfo.InvariantCulture), state, entry);
    }
}
