using TipIntake.Core;

namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// Table <c>Quarantine</c>: PartitionKey is the reason code (so "replay everything quarantined for a disabled key" is
/// one partition), RowKey the tip id or a hash of the message. The message is kept as bytes, still encrypted.
/// </summary>
public sealed class TableQuarantine(TableServiceClient tables) : IQuarantine
{
    private readonly TableClient _table = tables.GetTableClient(StorageNames.QuarantineTable);

    public async Task PutAsync(QuarantineEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var entity = new TableEntity(Codes.Of(entry.Reason), entry.Id)
        {
            ["Detail"] = entry.Detail,
            ["Message"] = entry.Message.ToArray(),
            ["Attempts"] = entry.Attempts,
            ["TipId"] = entry.TipId,
            ["KeyId"] = entry.KeyId,
        };
        await _table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)
            .OrUnavailableAsync("Quarantining a message", cancellationToken).ConfigureAwait(false);
    }
}
