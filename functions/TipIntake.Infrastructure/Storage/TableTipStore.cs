namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// Table <c>Tips</c>: PartitionKey is the triage queue, RowKey the tip id. Adding is insert-only, so a redelivered
/// message meets 409 Conflict and changes nothing (routing is deterministic, so it lands on the same key). The row is
/// inserted with a pending index marker and then indexed (<see cref="PendingIndexCompletion"/>); a failure in between
/// fails the add, so the queue redelivers and the redelivery completes the indexing from the row.
/// </summary>
public sealed class TableTipStore(TableServiceClient tables, PendingIndexCompletion indexing) : ITipStore
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.TipsTable);

    public async Task<bool> TryAddAsync(StoredTip tip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        string etag;
        try
        {
            var response = await _table.AddEntityAsync(TipEntity.From(tip), cancellationToken).ConfigureAwait(false);
            etag = response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("Table Storage answered an insert without an ETag.");
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A redelivery: whatever the first delivery left of the index work is in the row.
            await indexing.CompleteAsync(tip.Route.Queue, tip.TipId, cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Storing a tip", ex);
        }

        await indexing.CompleteAsync(TipEntity.AsTriageTip(tip, etag), cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<string?> FindTriageQueueAsync(string tipId, CancellationToken cancellationToken)
    {
        // A filter on RowKey alone scans every partition: acceptable for the processor's rare question only.
        await foreach (var row in _table.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"RowKey eq {tipId}"), ["PartitionKey"], "Looking for a tip", cancellationToken).ConfigureAwait(false))
        {
            return row.PartitionKey;
        }

        return null;
    }
}

/// <summary>The row of a tip as triage reads it. Dates are ISO strings: Table Storage has no date-only type.</summary>
internal static class TipEntity
{
    public const string StatusNew = "new";

    /// <summary>The row just inserted as triage would read it back (so that indexing it needs no second read).</summary>
    public static TriageTip AsTriageTip(StoredTip stored, string etag)
    {
        var tip = stored.Tip;
        var summary = new TipSummary(
            stored.TipId, stored.Route.Queue, StatusNew, stored.Route.Priority, tip.Category, tip.Urgency, Blank(tip.Location?.Country),
            Blank(tip.Location?.Region), stored.ReceivedHour, null, [], null, Core.Triage.EffortBands.Of(stored.Effort));
        var content = new TipContent(
            tip.Narrative, Blank(tip.Location?.Place), Date(tip.ObservedFrom), Date(tip.ObservedTo), tip.PeopleCount, Blank(tip.Language), Blank(tip.Contact));
        return new TriageTip(summary, content, etag, 0, null, new PendingIndex(PendingIndexKinds.New));
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static TableEntity From(StoredTip stored)
    {
        var tip = stored.Tip;
        var entity = new TableEntity(stored.Route.Queue, stored.TipId)
        {
            ["SchemaVersion"] = 1,
            ["Status"] = StatusNew,
            ["Priority"] = stored.Route.Priority,
            ["Category"] = tip.Category,
            ["Urgency"] = tip.Urgency,
            ["Country"] = tip.Location?.Country,
            ["Region"] = tip.Location?.Region,
            ["Place"] = tip.Location?.Place,
            ["ObservedFrom"] = tip.ObservedFrom?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["ObservedTo"] = tip.ObservedTo?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["PeopleCount"] = tip.PeopleCount,
            ["Language"] = tip.Language,
            ["Contact"] = tip.Contact,
            ["ReceivedHour"] = stored.ReceivedHour,
            ["ReceiptHash"] = stored.ReceiptHash,
            ["KeyId"] = stored.KeyId,
            [TipColumns.PendingIndex.Name] = TipColumns.PendingIndex.Write(new PendingIndex(PendingIndexKinds.New)),
            ["EffortBand"] = Core.Triage.EffortBands.Of(stored.Effort),
        };
        NarrativeColumns.Write(entity, tip.Narrative);
        FollowUp.TipFollowUpColumns.Write(entity, stored.FollowUp);
        return entity;
    }
}
