namespace TipIntake.Infrastructure.Triage;

/// <summary>
/// The triage store on Table Storage. <c>Tips</c> rows (PartitionKey triage queue, RowKey tip id) gain the columns
/// AssignedTo, Labels (comma-separated), LastChangedAt and Version; every change is a Merge guarded by the row's ETag,
/// so a stale writer meets 412. Clients never see that ETag (it is the row's write time): they see Version. Notes and
/// audit events are insert-only rows in <c>TipNotes</c> and <c>TipEvents</c>,
/// partitioned by tip id with time-ordered row keys (but a quarantined file's event: <see cref="TrailOrder"/>).
/// </summary>
/// <remarks>
/// Lists come from the index (<see cref="Index.TableIndexSets"/>), and a tip is found by id through its locator: a
/// point read for the queue, a point read for the row. Only the repair job scans <c>Tips</c>.
/// </remarks>
public sealed class TableTriageStore(TableServiceClient tables, ITipLocator locator) : ITriageStore
{
    /// <summary>The triage change counter (Int64) clients see as the ETag; absent on a tip never changed, which is version 0.</summary>
    public const string VersionColumn = "Version";

    private static readonly string[] SummaryColumns =
    [
        "PartitionKey", "RowKey", "Status", "Priority", "Category", "Urgency", "Country", "Region", "ReceivedHour", "AssignedTo", "Labels",
        "LastChangedAt", "EffortBand", "AwaitingReporter", "NewAnswers", VersionColumn, TipColumns.PendingIndex.Name,
    ];

    private readonly TableClient _tips = tables.GetTableClient(StorageNames.TipsTable);
    private readonly TableClient _notes = tables.GetTableClient(StorageNames.NotesTable);
    private readonly TableClient _events = tables.GetTableClient(StorageNames.EventsTable);

    public async IAsyncEnumerable<TriageTip> ScanAsync(bool withContent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in _tips.QueryOrUnavailableAsync(
            filter: null, withContent ? null : SummaryColumns, "Scanning tips", cancellationToken).ConfigureAwait(false))
        {
            yield return Tip(entity);
        }
    }

    public async Task<TriageTip?> GetAsync(string tipId, CancellationToken cancellationToken) =>
        await locator.FindQueueAsync(tipId, cancellationToken).ConfigureAwait(false) is { } queue
            ? await GetAsync(queue, tipId, cancellationToken).ConfigureAwait(false)
            : null;

    public async Task<TriageTip?> GetAsync(string queue, string tipId, CancellationToken cancellationToken)
    {
        var row = await _tips.FindOrUnavailableAsync(queue, tipId, null, "Reading a tip", cancellationToken).ConfigureAwait(false);
        return row is null ? null : Tip(row);
    }

    public Task<string?> ClearPendingIndexAsync(TriageTip tip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        return MergeGuardedAsync(
            new TableEntity(tip.Summary.Queue, tip.Summary.Id) { [TipColumns.PendingIndex.Name] = "" }, tip.StorageETag, "Clearing a tip's index marker", cancellationToken);
    }

    public Task<string?> MarkPurgeAsync(string queue, string tipId, string etag, CancellationToken cancellationToken) =>
        MergeGuardedAsync(
            new TableEntity(queue, tipId) { [TipColumns.PendingIndex.Name] = TipColumns.PendingIndex.Write(new PendingIndex(PendingIndexKinds.Purge)) },
            etag,
            "Marking a tip for purging",
            cancellationToken);

    public Task<StoreWrite> UpdateFlagsAsync(TipSummary flagged, TipSummary before, string expectedStorageETag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flagged);
        return WriteAsync(
            new TableEntity(flagged.Queue, flagged.Id)
            {
                ["AwaitingReporter"] = flagged.AwaitingReporter,
                ["NewAnswers"] = flagged.NewAnswers,
                [TipColumns.PendingIndex.Name] = TipColumns.PendingIndex.Write(new PendingIndex(PendingIndexKinds.Change, before)),
            },
            expectedStorageETag,
            "Flagging a tip",
            cancellationToken);
    }

    public Task<StoreWrite> UpdateAsync(TipUpdate update, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);

        // Merge leaves the processor's columns alone. Empty strings, not nulls: a merge cannot remove a column.
        var entity = new TableEntity(update.Queue, update.TipId)
        {
            ["Status"] = update.Status,
            ["AssignedTo"] = update.AssignedTo ?? "",
            ["Labels"] = string.Join(',', update.Labels),
            ["LastChangedAt"] = update.LastChangedAt,
            [VersionColumn] = update.Version,
            [TipColumns.PendingAudit.Name] = TipColumns.PendingAudit.Write(update.Audit),
            [TipColumns.PendingIndex.Name] = TipColumns.PendingIndex.Write(new PendingIndex(PendingIndexKinds.Change, update.Before)),
        };
        return WriteAsync(entity, update.ExpectedStorageETag, "Updating a tip", cancellationToken);
    }

    private async Task<StoreWrite> WriteAsync(TableEntity entity, string expectedStorageETag, string what, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _tips.UpdateEntityAsync(entity, new ETag(expectedStorageETag), TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return new StoreWrite.Written(response.Headers.ETag?.ToString()
                ?? throw new InvalidOperationException("Table Storage answered an update without an ETag."));
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return new StoreWrite.Stale();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new StoreWrite.Missing();
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap(what, ex);
        }
    }

    public async Task<IReadOnlyList<TipNote>> GetNotesAsync(string tipId, CancellationToken cancellationToken)
    {
        var notes = new List<TipNote>();
        await foreach (var entity in _notes.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {tipId}"), select: null, "Reading notes", cancellationToken).ConfigureAwait(false))
        {
            notes.Add(new TipNote(
                entity.RowKey,
                entity.GetString("AuthorId") ?? "",
                Blank(entity.GetString("AuthorName")),
                entity.GetString("Text") ?? "",
                entity.GetDateTimeOffset("At") ?? default));
        }

        return notes;
    }

    // Notes and events are insert-only: one already there (false) was appended before, by the pending audit of an earlier
    // change completed again.
    public async Task AddNoteAsync(string tipId, TipNote note, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(note);
        var entity = new TableEntity(tipId, note.Id)
        {
            ["AuthorId"] = note.AuthorId,
            ["AuthorName"] = note.AuthorName ?? "",
            ["Text"] = note.Text,
            ["At"] = note.At,
        };
        await _notes.TryAddOrUnavailableAsync(entity, "Adding a note", cancellationToken).ConfigureAwait(false);
    }

    public async Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tipEvent);
        var entity = new TableEntity(tipEvent.TipId, tipEvent.Id)
        {
            ["At"] = tipEvent.At,
            ["Actor"] = tipEvent.Actor,
            ["Action"] = tipEvent.Action,
            ["From"] = tipEvent.From ?? "",
            ["To"] = tipEvent.To ?? "",
        };
        await _events.TryAddOrUnavailableAsync(entity, "Adding an audit event", cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TipEvent>> GetEventsAsync(string tipId, CancellationToken cancellationToken)
    {
        var events = new List<TipEvent>();
        await foreach (var entity in _events.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {tipId}"), select: null, "Reading audit events", cancellationToken).ConfigureAwait(false))
        {
            events.Add(new TipEvent(
                tipId,
                entity.RowKey,
                entity.GetDateTimeOffset("At") ?? default,
                entity.GetString("Actor") ?? "",
                entity.GetString("Action") ?? "",
                Blank(entity.GetString("From")),
                Blank(entity.GetString("To"))));
        }

        // Row-key order, but for an event whose id carries no time (a quarantined file's): it goes at its hour.
        return TrailOrder.Sort(events);
    }

    /// <summary>A Merge of <paramref name="entity"/>'s columns if the row's ETag is still <paramref name="etag"/>: the new ETag, or null when stale or gone.</summary>
    private async Task<string?> MergeGuardedAsync(TableEntity entity, string etag, string operation, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _tips.UpdateEntityAsync(entity, new ETag(etag), TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return response.Headers.ETag?.ToString();
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return null;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap(operation, ex);
        }
    }

    internal static TriageTip Tip(TableEntity entity) =>
        new(Summary(entity), Content(entity), entity.ETag.ToString(), entity.GetInt64(VersionColumn) ?? 0, TipColumns.PendingAudit.Read(entity), TipColumns.PendingIndex.Read(entity));

    private static TipSummary Summary(TableEntity entity) => new(
        entity.RowKey,
        entity.PartitionKey,
        entity.GetString("Status") ?? TriageStatuses.New,
        entity.GetInt32("Priority") ?? 9,
        entity.GetString("Category") ?? "",
        entity.GetString("Urgency") ?? "",
        Blank(entity.GetString("Country")),
        Blank(entity.GetString("Region")),
        entity.GetDateTimeOffset("ReceivedHour") ?? default,
        Blank(entity.GetString("AssignedTo")),
        entity.GetString("Labels") is { Length: > 0 } labels ? labels.Split(',') : [],
        entity.GetDateTimeOffset("LastChangedAt"),
        entity.GetInt32("EffortBand"),
        entity.GetBoolean("AwaitingReporter") ?? false,
        entity.GetBoolean("NewAnswers") ?? false);

    private static TipContent Content(TableEntity entity) => new(
        NarrativeColumns.Read(entity),
        Blank(entity.GetString("Place")),
        Blank(entity.GetString("ObservedFrom")),
        Blank(entity.GetString("ObservedTo")),
        entity.GetInt32("PeopleCount"),
        Blank(entity.GetString("Language")),
        Blank(entity.GetString("Contact")));

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
