using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Related;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.Infrastructure.Triage;

/// <summary>
/// Table <c>TipRelations</c>, read and written by point reads only: per tip a list row (PartitionKey tip id, RowKey
/// <c>list</c>) naming its related tips and why; per pair one decision row (PartitionKey the smaller id, RowKey the
/// larger) with the editors' decision and, until appended to <c>TipEvents</c>, its two audit events. A pair's decision
/// lives in one row, so it reads the same from either tip.
/// </summary>
public sealed class TableTipRelations(TableServiceClient tables, ITriageStore store) : ITipRelations
{
    private const string ListRow = "list";

    /// <summary>A tip keeps at most this many related tips (suggestions made for it, and for later tips that named it).</summary>
    private const int MaxRelated = 60;

    private readonly TableClient _table = tables.GetTableClient(StorageNames.RelationsTable);

    public async Task SuggestAsync(string tipId, IReadOnlyList<RelatedSuggestion> suggestions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(suggestions);
        await UpdateListAsync(tipId, list =>
        {
            foreach (var suggestion in suggestions)
            {
                Merge(list, suggestion.OtherId, suggestion.Reasons);
            }
        }, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(suggestions.Select(s => UpdateListAsync(s.OtherId, list => Merge(list, tipId, s.Reasons), cancellationToken))).ConfigureAwait(false);
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
        RelationReason[] manual = [new RelationReason(RelationReasons.Manual)];
        await Task.WhenAll(
            UpdateListAsync(tipId, list => Merge(list, otherId, manual, onlyIfMissing: true), cancellationToken),
            UpdateListAsync(otherId, list => Merge(list, tipId, manual, onlyIfMissing: true), cancellationToken)).ConfigureAwait(false);

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
            await UpdateListAsync(item.Other, other => other.RemoveAll(i => i.Other == tipId), cancellationToken).ConfigureAwait(false);
            var (low, high) = Pair(tipId, item.Other);
            await DeleteAsync(low, high, cancellationToken).ConfigureAwait(false);
        }

        await DeleteAsync(tipId, ListRow, cancellationToken).ConfigureAwait(false);
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

    private async Task UpdateListAsync(string tipId, Action<List<RelatedItem>> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (list, etag) = await ReadListAsync(tipId, cancellationToken).ConfigureAwait(false);
            var before = JsonSerializer.Serialize(list, RelationsJsonContext.Default.ListRelatedItem);
            change(list);
            if (list.Count > MaxRelated)
            {
                list.RemoveRange(MaxRelated, list.Count - MaxRelated);
            }

            var after = JsonSerializer.Serialize(list, RelationsJsonContext.Default.ListRelatedItem);
            if (after == before)
            {
                return;
            }

            var entity = new TableEntity(tipId, ListRow) { ["Related"] = after };
            try
            {
                if (etag is { } current)
                {
                    await _table.UpdateEntityAsync(entity, current, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 20)
            {
                await Task.Delay(Random.Shared.Next(2, 30), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                throw StorageFailures.Wrap("Writing related reports", ex);
            }
        }
    }

    private async Task<(List<RelatedItem> List, ETag? ETag)> ReadListAsync(string tipId, CancellationToken cancellationToken)
    {
        var row = await GetAsync(tipId, ListRow, cancellationToken).ConfigureAwait(false);
        var json = row?.GetString("Related");
        var list = string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, RelationsJsonContext.Default.ListRelatedItem);
        return (list ?? [], row?.ETag);
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

    private async Task<TableEntity?> GetAsync(string partition, string row, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? response.Value : null;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Reading related reports", ex);
        }
    }

    private async Task DeleteAsync(string partition, string row, CancellationToken cancellationToken)
    {
        try
        {
            await _table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Removing related reports", ex);
        }
    }

    private static (string Low, string High) Pair(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    private static void Merge(List<RelatedItem> list, string other, IReadOnlyList<RelationReason> reasons, bool onlyIfMissing = false)
    {
        var at = list.FindIndex(i => i.Other == other);
        if (at >= 0 && onlyIfMissing)
        {
            return;
        }

        // Shared words are counted anew each time; the other reasons add up.
        var merged = (at >= 0 ? Parse(list[at].Reasons) : [])
            .Where(known => !(known.Code == RelationReasons.SharedWords && reasons.Any(r => r.Code == RelationReasons.SharedWords)))
            .Concat(reasons)
            .Distinct()
            .ToList();
        var item = new RelatedItem(other, Format(merged));
        if (at >= 0)
        {
            list[at] = item;
        }
        else
        {
            list.Add(item);
        }
    }

    private static string Format(IEnumerable<RelationReason> reasons) =>
        string.Join(';', reasons.Select(r => r.Detail is null ? r.Code : r.Code + ":" + r.Detail));

    private static List<RelationReason> Parse(string reasons) =>
        [.. reasons.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(':', 2) is [var code, var detail] ? new RelationReason(code, detail) : new RelationReason(r))];

    private sealed record Decision(string? State, List<TipEvent> Pending, ETag? ETag);
}

/// <summary>One entry of a tip's related list: the other tip and the reasons (<c>code[:detail]</c>, <c>;</c>-separated).</summary>
internal sealed record RelatedItem(string Other, string Reasons);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<RelatedItem>))]
[JsonSerializable(typeof(List<TipEvent>))]
internal sealed partial class RelationsJsonContext : JsonSerializerContext;
