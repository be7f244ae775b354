namespace TipIntake.Infrastructure.Triage;

/// <summary>
/// Table <c>TipRelations</c>, read and written by point reads only: per tip a list row (PartitionKey and RowKey the
/// tip id; unique RowKeys keep Azurite's point reads indexed) with one column per related tip (<c>r</c> + its id) holding the reasons; per pair one decision row
/// (PartitionKey the smaller id, RowKey the larger) with the editors' decision and, until appended to <c>TipEvents</c>,
/// its two audit events. A suggestion is added to both lists by a Merge of one column each — no read, and concurrent
/// suggestions for one tip do not collide. A pair's decision lives in one row, so it reads the same from either tip.
/// </summary>
public sealed class TableTipRelations(TableServiceClient tables, ITriageStore store) : ITipRelations
{
    private const string Column = "r";

    private readonly TableClient _table = tables.GetTableClient(StorageNames.RelationsTable);

    public async Task SuggestAsync(string tipId, IReadOnlyList<RelatedSuggestion> suggestions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(suggestions);
        var own = new TableEntity(tipId, tipId);
        foreach (var suggestion in suggestions)
        {
            own[Column + suggestion.OtherId] = Format(suggestion.Reasons);
        }

        await MergeAsync(own, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(suggestions.Select(s =>
            MergeAsync(new TableEntity(s.OtherId, s.OtherId) { [Column + tipId] = Format(s.Reasons) }, cancellationToken))).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<TipRelation>> ListAsync(string tipId, CancellationToken cancellationToken)
    {
        var (list, _) = await ReadListAsync(tipId, cancellationToken).ConfigureAwait(false);
        var decisions = await Task.WhenAll(list.Select(item => ReadDecisionAsync(tipId, item.Other, cancellationToken))).ConfigureAwait(false);
        var related = new List<TipRelation>();
        foreach (var (item, decision) in list.Zip(decisions))
        {
            if (decision?.Pending is { Count: > 0 } pending)
            {
                await AppendAsync(tipId, item.Other, decision, pending, cancellationToken).ConfigureAwait(false);
            }

            related.Add(new TipRelation(item.Other, Parse(item.Reasons), decision?.State is { Length: > 0 } state ? state : RelationStates.Suggested));
        }

        return related;
    }

    public async Task<string> DecideAsync(
        string tipId, string otherId, string state, IReadOnlyList<TipEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var (tip, other) in new[] { (tipId, otherId), (otherId, tipId) })
        {
            var (list, _) = await ReadListAsync(tip, cancellationToken).ConfigureAwait(false);
            if (!list.Any(item => item.Other == other))
            {
                await MergeAsync(new TableEntity(tip, tip) { [Column + other] = RelationReasons.Manual }, cancellationToken).ConfigureAwait(false);
            }
        }

        var (low, high) = Pair(tipId, otherId);
        for (var attempt = 1; ; attempt++)
        {
            var decision = await ReadDecisionAsync(tipId, otherId, cancellationToken).ConfigureAwait(false);
            var before = decision?.State is { Length: > 0 } known ? known : RelationStates.Suggested;
            var entity = new TableEntity(low, high)
            {
                ["State"] = state,
                ["PendingEvents"] = JsonSerializer.Serialize(events.ToList(), RelationsJsonContext.Default.ListTipEvent),
            };
            try
            {
                var written = decision?.ETag is { } etag
                    ? await _table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)
                    : await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                await AppendAsync(tipId, otherId, new Decision(state, [.. events], written.Headers.ETag), [.. events], cancellationToken)
                    .ConfigureAwait(false);
                return before;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 10)
            {
                // Another editor decided at the same moment: decide again on what is there now.
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                throw StorageFailures.Wrap("Recording a link", ex);
            }
        }
    }

    public async Task RemoveAllAsync(string tipId, CancellationToken cancellationToken)
    {
        var (list, _) = await ReadListAsync(tipId, cancellationToken).ConfigureAwait(false);
        foreach (var item in list)
        {
            await RemoveColumnAsync(item.Other, Column + tipId, cancellationToken).ConfigureAwait(false);
            var (low, high) = Pair(tipId, item.Other);
            await DeleteAsync(low, high, cancellationToken).ConfigureAwait(false);
        }

        await DeleteAsync(tipId, tipId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Appends a decision's events (idempotent: keyed by their ids), then clears them from the row if it is unchanged.</summary>
    private async Task AppendAsync(string tipId, string otherId, Decision decision, IReadOnlyList<TipEvent> pending, CancellationToken cancellationToken)
    {
        foreach (var tipEvent in pending)
        {
            await store.AddEventAsync(tipEvent, cancellationToken).ConfigureAwait(false);
        }

        var (low, high) = Pair(tipId, otherId);
        try
        {
            await _table.UpdateEntityAsync(new TableEntity(low, high) { ["PendingEvents"] = "" }, decision.ETag ?? ETag.All, TableUpdateMode.Merge, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Decided again meanwhile: that decision carries its own events.
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            // The events are in TipEvents; only the row still names them, and appending them again is harmless.
        }
    }

    /// <summary>Adds or replaces columns of a list row (creating it), without reading it. A full row (a table row holds 252 columns) takes no more.</summary>
    private async Task MergeAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 400)
        {
            // Too many related tips already: this one is not listed (the suggestion stays on the other side).
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Writing related reports", ex);
        }
    }

    /// <summary>Removes one column of a list row (a Merge cannot remove one: the row is replaced, guarded by its ETag).</summary>
    private async Task RemoveColumnAsync(string tipId, string column, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            if (await GetAsync(tipId, tipId, cancellationToken).ConfigureAwait(false) is not { } row || !row.ContainsKey(column))
            {
                return;
            }

            row.Remove(column);
            try
            {
                await _table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                throw StorageFailures.Wrap("Removing related reports", ex);
            }
        }
    }

    private async Task<(List<RelatedItem> List, ETag? ETag)> ReadListAsync(string tipId, CancellationToken cancellationToken)
    {
        var row = await GetAsync(tipId, tipId, cancellationToken).ConfigureAwait(false);
        var list = row is null
            ? []
            : row.Where(pair => pair.Key.Length == 33 && pair.Key.StartsWith(Column, StringComparison.Ordinal) && pair.Value is string)
                .Select(pair => new RelatedItem(pair.Key[1..], (string)pair.Value))
                .OrderBy(item => item.Other, StringComparer.Ordinal)
                .ToList();
        return (list, row?.ETag);
    }

    private async Task<Decision?> ReadDecisionAsync(string tipId, string otherId, CancellationToken cancellationToken)
    {
        var (low, high) = Pair(tipId, otherId);
        if (await GetAsync(low, high, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            return null;
        }

        var json = row.GetString("PendingEvents");
        var pending = string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize(json, RelationsJsonContext.Default.ListTipEvent) ?? [];
        return new Decision(row.GetString("State"), pending, row.ETag);
    }

    private Task<TableEntity?> GetAsync(string partition, string row, CancellationToken cancellationToken) =>
        _table.FindOrUnavailableAsync(partition, row, null, "Reading related reports", cancellationToken);

    private async Task DeleteAsync(string partition, string row, CancellationToken cancellationToken)
    {
        await _table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken)
            .OrUnavailableAsync("Removing related reports", cancellationToken).ConfigureAwait(false);
    }

    private static (string Low, string High) Pair(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    private static string Format(IEnumerable<RelationReason> reasons) =>
        string.Join(';', reasons.Select(r => r.Detail is null ? r.Code : r.Code + ":" + r.Detail));

    private static List<RelationReason> Parse(string reasons) =>
        [.. reasons.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(':', 2) is [var code, var detail] ? new RelationReason(code, detail) : new RelationReason(r))];

    private sealed record Decision(string? State, List<TipEvent> Pending, ETag? ETag);
}

/// <summary>One entry of a tip's related list: the other tip and the reasons (<c>code[:detail]</c>, <c>;</c>-separated).</summary>
internal sealed record RelatedItem(string Other, string Reasons);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<TipEvent>))]
internal sealed partial class RelationsJsonContext : JsonSerializerContext;
