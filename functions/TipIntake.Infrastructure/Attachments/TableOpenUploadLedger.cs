using TipIntake.Core.Attachments;

namespace TipIntake.Infrastructure.Attachments;

/// <summary>
/// The open-upload counters in table <c>Uploads</c> (docs/attachments.md, "Open uploads"): partition
/// <see cref="Partition"/>, one row per day (<c>yyyy-MM-dd</c>) holding <c>Open</c>, the slots taken that day and not
/// given back. A take reads the partition (a handful of rows) and writes its day's row under the ETag it read, so two
/// instances never both take the last slot; a give-back writes its day's row under its ETag. Counters of days before
/// the window are deleted as they are met. Upload rows' partition keys are 22 characters, so they never meet these.
/// </summary>
public sealed class TableOpenUploadLedger(TableServiceClient tables) : IOpenUploadLedger
{
    public const string Partition = "open-uploads";

    private const int Attempts = 16;
    private const string DayFormat = "yyyy-MM-dd";

    private readonly TableClient _table = tables.GetTableClient(StorageNames.UploadsTable);

    public async Task<bool> TryTakeAsync(DateOnly day, DateOnly countFrom, int max, CancellationToken cancellationToken)
    {
        var today = KeyOf(day);
        var from = KeyOf(countFrom);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var counters = await ReadCountersAsync(cancellationToken).ConfigureAwait(false);
            await DeleteStaleAsync(counters.Where(c => string.CompareOrdinal(c.RowKey, from) < 0), cancellationToken).ConfigureAwait(false);
            var held = counters.Where(c => string.CompareOrdinal(c.RowKey, from) >= 0).Sum(c => (long)OpenOf(c));
            if (held >= max)
            {
                return false;
            }

            var mine = counters.FirstOrDefault(c => c.RowKey == today);
            try
            {
                if (mine is null)
                {
                    await _table.AddEntityAsync(Counter(today, 1), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _table.UpdateEntityAsync(Counter(today, OpenOf(mine) + 1), mine.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }

                return true;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another instance took or gave back a slot in between: read again.
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                throw StorageFailures.Wrap("Taking an open-upload slot", ex);
            }
        }

        throw new StorageUnavailableException($"Taking an open-upload slot failed: {Attempts} attempts met other instances' writes.", new TimeoutException());
    }

    public Task ReleaseAsync(DateOnly day, CancellationToken cancellationToken) =>
        _table.UpdateUnderETagAsync(Partition, KeyOf(day), select: null, counter =>
            _table.UpdateEntityAsync(Counter(counter.RowKey, Math.Max(0, OpenOf(counter) - 1)), counter.ETag, TableUpdateMode.Replace, cancellationToken),
            Attempts, "Giving back an open-upload slot", cancellationToken);

    /// <summary>The day's counter as written, or null when the row holds none.</summary>
    public static DateOnly? DayOf(string? text) =>
        DateOnly.TryParseExact(text, DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    public static string KeyOf(DateOnly day) => day.ToString(DayFormat, CultureInfo.InvariantCulture);

    private static int OpenOf(TableEntity counter) => Math.Max(0, counter.GetInt32("Open") ?? 0);

    private static TableEntity Counter(string day, int open) => new(Partition, day) { ["Open"] = open };

    private async Task<List<TableEntity>> ReadCountersAsync(CancellationToken cancellationToken)
    {
        var counters = new List<TableEntity>();
        await foreach (var counter in _table.QueryOrUnavailableAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), select: null, "Counting open uploads", cancellationToken).ConfigureAwait(false))
        {
            counters.Add(counter);
        }

        return counters;
    }

    /// <summary>Counters of days the window has left: whatever they still hold was lost by a crash, and no longer counts.</summary>
    private async Task DeleteStaleAsync(IEnumerable<TableEntity> stale, CancellationToken cancellationToken)
    {
        foreach (var counter in stale)
        {
            try
            {
                await _table.DeleteEntityAsync(counter.PartitionKey, counter.RowKey, counter.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Deleted or given back to by another instance: the next take meets it again if it is still there.
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                throw StorageFailures.Wrap("Deleting a past open-upload counter", ex);
            }
        }
    }
}
