namespace TipIntake.Infrastructure.Triage.Index;

/// <summary>
/// Locator rows in <c>TipIndex</c>: PartitionKey <c>id.</c> + tip id, RowKey the tip id (unique, for Azurite's RowKey
/// lookup: see <see cref="SetLayout"/>), column Queue.
/// </summary>
public sealed class TableTipLocator(TableServiceClient tables) : ITipLocator
{
    private const string Prefix = "id.";

    private readonly TableClient _table = tables.GetTableClient(StorageNames.IndexTable);

    public async Task<string?> FindQueueAsync(string tipId, CancellationToken cancellationToken)
    {
        var row = await _table.FindOrUnavailableAsync(Prefix + tipId, tipId, ["Queue"], "Locating a tip", cancellationToken).ConfigureAwait(false);
        return row?.GetString("Queue");
    }

    public async Task PutAsync(string tipId, string queue, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpsertEntityAsync(new TableEntity(Prefix + tipId, tipId) { ["Queue"] = queue }, TableUpdateMode.Replace, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Locating a tip", ex);
        }
    }

    public async Task RemoveAsync(string tipId, CancellationToken cancellationToken)
    {
        await _table.DeleteEntityAsync(Prefix + tipId, tipId, ETag.All, cancellationToken)
            .OrUnavailableAsync("Removing a tip's locator", cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Prefix} and PartitionKey lt {Prefix + "\uffff"}");
        await foreach (var row in _table.QueryOrUnavailableAsync(filter, ["PartitionKey"], "Listing tip locators", cancellationToken).ConfigureAwait(false))
        {
            yield return row.PartitionKey[Prefix.Length..];
        }
    }
}
