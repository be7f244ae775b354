using TipIntake.Core.FollowUp;

namespace TipIntake.Infrastructure.FollowUp;

/// <summary>
/// Table <c>FollowUpKeys</c> (PartitionKey <c>H</c>, RowKey tip id) and the columns of <c>Tips</c> follow-up reads.
/// A row is upserted, so a redelivered message writes the same row again and never meets a conflict. Reads select
/// only what they need; a point read of a key that does not exist (a decoy's) is a 404, as cheap as a hit.
/// </summary>
public sealed class TableFollowUpStore(TableServiceClient tables) : IFollowUpStore, IFollowUpExpiryStore
{
    private static readonly string[] ClosedThreadColumns = ["PartitionKey", "RowKey", TipFollowUpColumns.LookupHash];

    private static readonly string[] ThreadColumns = ["PartitionKey", "RowKey", "Ref", "TriageQueue", "PublicKey", "SealedKey", "Version"];
    private static readonly string[] StatusColumns = ["Status", TipFollowUpColumns.FollowUp];
    private static readonly string[] LookupHashColumns = [TipFollowUpColumns.LookupHash];

    private readonly TableClient _keys = tables.GetTableClient(StorageNames.FollowUpKeysTable);
    private readonly TableClient _tips = tables.GetTableClient(StorageNames.TipsTable);

    public async Task PutThreadAsync(FollowUpThread thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thread);
        var entity = new TableEntity(thread.LookupHash, thread.TipId)
        {
            ["Ref"] = thread.Ref,
            ["TriageQueue"] = thread.TriageQueue,
            ["PublicKey"] = thread.PublicKey,
            ["SealedKey"] = thread.SealedKey,
            ["Version"] = thread.Version,
        };
        await _keys.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)
            .OrUnavailableAsync("Storing a follow-up key", cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FollowUpThread>> FindThreadsAsync(string lookupHash, int max, CancellationToken cancellationToken)
    {
        var threads = new List<FollowUpThread>();
        await foreach (var row in _keys.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {lookupHash}"), ThreadColumns, "Looking up a follow-up code", cancellationToken).ConfigureAwait(false))
        {
            threads.Add(new FollowUpThread(
                row.PartitionKey, row.RowKey, row.GetString("Ref"), row.GetString("TriageQueue"), row.GetString("PublicKey"),
                row.GetString("SealedKey"), row.GetInt32("Version") ?? 1));
            if (threads.Count == max)
            {
                break;
            }
        }

        return threads;
    }

    public async Task<string?> ReadStatusAsync(string triageQueue, string tipId, CancellationToken cancellationToken)
    {
        var row = await _tips.FindOrUnavailableAsync(triageQueue, tipId, StatusColumns, "Reading a tip's status", cancellationToken).ConfigureAwait(false);
        return row is not null && row.GetString(TipFollowUpColumns.FollowUp) != FollowUpStates.Expired ? row.GetString("Status") : null;
    }

    /// <summary>
    /// Deletes the <c>FollowUpKeys</c> row of a tip — its sealed key with it — found through the tip's <c>LookupHash</c>.
    /// Called before the tip's row goes, so that the hash is still there to find it; nothing to do without one.
    /// </summary>
    /// <exception cref="StorageUnavailableException">Storage could not be reached.</exception>
    public async Task ForgetTipAsync(string triageQueue, string tipId, CancellationToken cancellationToken)
    {
        var row = await _tips.FindOrUnavailableAsync(triageQueue, tipId, LookupHashColumns, "Deleting a follow-up key", cancellationToken).ConfigureAwait(false);
        if (row?.GetString(TipFollowUpColumns.LookupHash) is { Length: > 0 } lookupHash)
        {
            // A 404 (already gone) counts as done.
            await _keys.DeleteEntityAsync(lookupHash, tipId, ETag.All, cancellationToken)
                .OrUnavailableAsync("Deleting a follow-up key", cancellationToken).ConfigureAwait(false);
        }
    }

    public async IAsyncEnumerable<ClosedThread> FindClosedActiveAsync(DateTimeOffset changedBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A scan of Tips, as retention's own search for closed tips, once a day.
        var filter = TableClient.CreateQueryFilter(
            $"Status eq {TriageStatuses.Closed} and LastChangedAt lt {changedBefore} and FollowUp eq {FollowUpStates.Active}");
        await foreach (var row in _tips.QueryOrUnavailableAsync(filter, ClosedThreadColumns, "Finding closed threads", cancellationToken).ConfigureAwait(false))
        {
            yield return new ClosedThread(row.RowKey, row.PartitionKey, row.GetString(TipFollowUpColumns.LookupHash));
        }
    }

    public async Task DeleteKeyAsync(ClosedThread thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thread);
        if (thread.LookupHash is not { Length: > 0 } lookupHash)
        {
            return;
        }

        await _keys.DeleteEntityAsync(lookupHash, thread.TipId, ETag.All, cancellationToken)
            .OrUnavailableAsync("Deleting a follow-up key", cancellationToken).ConfigureAwait(false);
    }

    public async Task MarkExpiredAsync(ClosedThread thread, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(thread);
        try
        {
            // One column merged, unguarded: the tip is closed for good, and triage's version (the ETag staff see) stays.
            await _tips.UpdateEntityAsync(
                new TableEntity(thread.TriageQueue, thread.TipId) { [TipFollowUpColumns.FollowUp] = FollowUpStates.Expired }, ETag.All, TableUpdateMode.Merge, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Purged meanwhile: nothing left to mark.
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Ending a thread", ex);
        }
    }
}

/// <summary>The follow-up columns of a <c>Tips</c> row.</summary>
internal static class TipFollowUpColumns
{
    public const string FollowUp = "FollowUp";
    public const string ReporterKeyThumbprint = "ReporterKeyThumbprint";
    public const string LookupHash = "LookupHash";

    /// <summary>Adds the columns to a new row; a tip stored without follow-up state (null) gets none.</summary>
    public static void Write(TableEntity entity, TipFollowUp? followUp)
    {
        if (followUp is null)
        {
            return;
        }

        entity[FollowUp] = followUp.State;
        entity[ReporterKeyThumbprint] = followUp.ReporterKeyThumbprint;
        entity[LookupHash] = followUp.LookupHash;
    }
}
