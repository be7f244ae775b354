namespace TipIntake.Infrastructure.Storage;

/// <summary>Storage queries, inserts and guarded updates whose failures surface as the core's <see cref="Core.Intake.StorageUnavailableException"/>.</summary>
internal static class TableQueries
{
    /// <summary>
    /// Every entity matching <paramref name="filter"/>, 1,000 a page, with only <paramref name="select"/> read. A failure
    /// while paging names <paramref name="operation"/>; the caller's own cancellation still propagates as itself.
    /// </summary>
    public static IAsyncEnumerable<TableEntity> QueryOrUnavailableAsync(
        this TableClient table,
        string? filter,
        IEnumerable<string>? select,
        string operation,
        CancellationToken cancellationToken) =>
        table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select, cancellationToken).OrUnavailableAsync(operation, cancellationToken);

    /// <summary>The entity at <paramref name="partitionKey"/>/<paramref name="rowKey"/>, or null where there is none.</summary>
    public static async Task<TableEntity?> FindOrUnavailableAsync(
        this TableClient table,
        string partitionKey,
        string rowKey,
        IEnumerable<string>? select,
        string operation,
        CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select, cancellationToken)
            .OrUnavailableAsync(operation, cancellationToken).ConfigureAwait(false);
        return response.HasValue ? response.Value : null;
    }

    /// <summary>
    /// Inserts <paramref name="entity"/>: false, and nothing written, where a row with its keys is already there (409).
    /// A failure names <paramref name="operation"/>.
    /// </summary>
    public static async Task<bool> TryAddOrUnavailableAsync(
        this TableClient table, TableEntity entity, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap(operation, ex);
        }
    }

    /// <summary>
    /// Reads the entity at <paramref name="partitionKey"/>/<paramref name="rowKey"/> and hands it to
    /// <paramref name="writeAsync"/>, which writes under the ETag read; read and written again while another writer
    /// changes the row in between (412), at most <paramref name="attempts"/> times. A row that is not there, or is deleted
    /// in between (404), leaves nothing to do. Failures name <paramref name="operation"/>, as does running out of attempts.
    /// </summary>
    public static async Task UpdateUnderETagAsync(
        this TableClient table,
        string partitionKey,
        string rowKey,
        IEnumerable<string>? select,
        Func<TableEntity, Task> writeAsync,
        int attempts,
        string operation,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeAsync);
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            try
            {
                var row = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select, cancellationToken).ConfigureAwait(false);
                if (row.HasValue)
                {
                    await writeAsync(row.Value!).ConfigureAwait(false);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Changed in between: read it again.
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                throw StorageFailures.Wrap(operation, ex);
            }
        }

        throw new Core.Intake.StorageUnavailableException($"{operation} failed: {attempts} attempts met other writers.", new TimeoutException());
    }

    /// <summary>
    /// <paramref name="source"/> (an SDK listing that pages as it is read), with a failure while paging turned into
    /// the core's exception naming <paramref name="operation"/>.
    /// </summary>
    public static async IAsyncEnumerable<T> OrUnavailableAsync<T>(
        this IAsyncEnumerable<T> source, string operation, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
                {
                    throw StorageFailures.Wrap(operation, ex);
                }

                yield return enumerator.Current;
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }
}
