using TipIntake.Core;
using TipIntake.Core.Processing;
using TipIntake.Core.Retention;

namespace TipIntake.Infrastructure.Retention;

/// <summary>
/// Retention on Table Storage. Closed tips are found by <c>Status eq 'closed' and LastChangedAt lt cutoff</c> (a scan
/// of <c>Tips</c> reading keys only), quarantine rows by their own <c>Timestamp</c>. Deletes name the ETag read, so a
/// row changed meanwhile meets 412 and is kept. The orphan sweep reads the quarantine's ids (its row keys) once. Audit events go through the triage store, the one writer of
/// <c>TipEvents</c>. Any other storage failure propagates: the run fails and the timer tries again next time.
/// A tip leaves the triage index before its row goes: the row is marked for purging (guarded by the ETag read), taken
/// out of every index set, then deleted; a run that fails in between leaves the mark, and the next run (or the index
/// repair) finishes the purge — the index never keeps anything of a purged tip.
/// </summary>
public sealed class TableRetentionStore(TableServiceClient tables, ITriageStore triage, TriageIndexer indexer, FollowUp.TableFollowUpStore followUp)
    : IRetentionStore
{
    private static readonly string[] KeyColumns = ["PartitionKey", "RowKey"];
    private static readonly string[] MessageColumn = ["Message"];

    private readonly TableClient _tips = tables.GetTableClient(StorageNames.TipsTable);
    private readonly TableClient _notes = tables.GetTableClient(StorageNames.NotesTable);
    private readonly TableClient _messages = tables.GetTableClient(StorageNames.MessagesTable);
    private readonly TableClient _quarantine = tables.GetTableClient(StorageNames.QuarantineTable);
    private readonly TableClient _events = tables.GetTableClient(StorageNames.EventsTable);

    public IAsyncEnumerable<ExpiredTip> FindClosedTipsAsync(DateTimeOffset changedBefore, CancellationToken cancellationToken) =>
        QueryAsync(
            _tips,
            TableClient.CreateQueryFilter($"Status eq {TriageStatuses.Closed} and LastChangedAt lt {changedBefore}"),
            entity => new ExpiredTip(entity.RowKey, entity.PartitionKey, entity.ETag.ToString()),
            "Finding expired tips",
            cancellationToken);

    public async IAsyncEnumerable<ExpiredQuarantine> FindQuarantineAsync(DateTimeOffset writtenBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var found = QueryAsync(
            _quarantine,
            TableClient.CreateQueryFilter($"Timestamp lt {writtenBefore}"),
            entity => new ExpiredQuarantine(entity.RowKey, entity.PartitionKey, entity.ETag.ToString()),
            "Finding expired quarantine",
            cancellationToken);
        await foreach (var entry in found.ConfigureAwait(false))
        {
            // Keys only for the scan: other rows' messages may be large. A mismatched file's entry names its blob.
            yield return entry.Reason == Codes.Of(QuarantineReason.AttachmentMismatch)
                ? entry with { Message = await ReadMessageAsync(entry, cancellationToken).ConfigureAwait(false) }
                : entry;
        }
    }

    public async Task<bool> DeleteTipAsync(ExpiredTip tip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        if (await triage.GetAsync(tip.Queue, tip.TipId, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            return false;
        }

        // A change's unfinished index work first, so that no set of its former state keeps the tip.
        if (row.PendingIndex is { Kind: not PendingIndexKinds.Purge })
        {
            await indexer.CompleteAsync(row, cancellationToken).ConfigureAwait(false);
        }

        // Changed since it was found (unless only by this purge's own earlier, unfinished attempt): keep it.
        var marked = row.PendingIndex?.Kind == PendingIndexKinds.Purge
            ? row.StorageETag
            : row.StorageETag == tip.ETag ? await triage.MarkPurgeAsync(tip.Queue, tip.TipId, tip.ETag, cancellationToken).ConfigureAwait(false) : null;
        if (marked is null)
        {
            return false;
        }

        await indexer.PurgeAsync(row.Summary, row.Content, cancellationToken).ConfigureAwait(false);

        // The follow-up key row (the sealed key with it) while the tip's row still names it, and the thread while the
        // tip's row is still there to lead a failed run back to it.
        await followUp.ForgetTipAsync(tip.Queue, tip.TipId, cancellationToken).ConfigureAwait(false);
        await foreach (var message in QueryAsync(
            _messages, TableClient.CreateQueryFilter($"PartitionKey eq {tip.TipId}"), entity => entity.RowKey, "Finding a tip's thread", cancellationToken).ConfigureAwait(false))
        {
            await DeleteAsync(_messages, tip.TipId, message, ETag.All.ToString(), "Purging a thread message", cancellationToken).ConfigureAwait(false);
        }

        return await DeleteAsync(_tips, tip.Queue, tip.TipId, marked, "Purging a tip", cancellationToken).ConfigureAwait(false);
    }

    private async Task<ReadOnlyMemory<byte>> ReadMessageAsync(ExpiredQuarantine entry, CancellationToken cancellationToken)
    {
        try
        {
            var row = await _quarantine.GetEntityIfExistsAsync<TableEntity>(entry.Reason, entry.Id, MessageColumn, cancellationToken).ConfigureAwait(false);
            return row.HasValue ? row.Value!.GetBinary("Message") ?? [] : ReadOnlyMemory<byte>.Empty;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Reading a quarantined file's entry", ex);
        }
    }

    public async Task DeleteNotesAsync(string tipId, CancellationToken cancellationToken)
    {
        await foreach (var note in QueryAsync(
            _notes, TableClient.CreateQueryFilter($"PartitionKey eq {tipId}"), entity => entity.RowKey, "Finding a tip's notes", cancellationToken).ConfigureAwait(false))
        {
            await DeleteAsync(_notes, tipId, note, ETag.All.ToString(), "Purging a note", cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<bool> DeleteQuarantineAsync(ExpiredQuarantine entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return DeleteAsync(_quarantine, entry.Reason, entry.Id, entry.ETag, "Purging quarantine", cancellationToken);
    }

    public async Task<IReadOnlySet<string>> QuarantinedIdsAsync(CancellationToken cancellationToken)
    {
        // Keys only, once per sweep: the quarantine is small (rows leave after Retention:QuarantineAfter).
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var id in QueryAsync(_quarantine, filter: null, entity => entity.RowKey, "Reading quarantine ids", cancellationToken).ConfigureAwait(false))
        {
            ids.Add(id);
        }

        return ids;
    }

    public async Task<IReadOnlySet<string>> StoredTipIdsAsync(CancellationToken cancellationToken)
    {
        // Keys only, once a run, and only when some tip has files.
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var id in QueryAsync(_tips, filter: null, entity => entity.RowKey, "Reading tip ids", cancellationToken).ConfigureAwait(false))
        {
            ids.Add(id);
        }

        return ids;
    }

    public async Task<bool> WasPurgedAsync(string tipId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {tipId} and Action eq {RetentionActions.Purged} and Actor eq {RetentionActions.Actor}");
        await foreach (var _ in QueryAsync(_events, filter, entity => entity.RowKey, "Reading a tip's purge", cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }

    public Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken) => triage.AddEventAsync(tipEvent, cancellationToken);

    private static async Task<bool> DeleteAsync(
        TableClient table, string partitionKey, string rowKey, string etag, string operation, CancellationToken cancellationToken)
    {
        try
        {
            // DeleteEntityAsync treats 404 as success; 412 (changed since read) throws.
            using var response = await table.DeleteEntityAsync(partitionKey, rowKey, new ETag(etag), cancellationToken).ConfigureAwait(false);
            return response.Status != 404;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap(operation, ex);
        }
    }

    private static async IAsyncEnumerable<T> QueryAsync<T>(
        TableClient table,
        string? filter,
        Func<TableEntity, T> map,
        string operation,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in table.QueryOrUnavailableAsync(filter, KeyColumns, operation, cancellationToken).ConfigureAwait(false))
        {
            yield return map(entity);
        }
    }
}
