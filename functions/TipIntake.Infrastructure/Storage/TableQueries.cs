using System.Runtime.CompilerServices;
using Azure.Data.Tables;

namespace TipIntake.Infrastructure.Storage;

/// <summary>Streaming table queries whose storage failures surface as the core's <see cref="Core.Intake.StorageUnavailableException"/>.</summary>
internal static class TableQueries
{
    /// <summary>
    /// Every entity matching <paramref name="filter"/>, 1,000 a page, with only <paramref name="select"/> read. A failure
    /// while paging names <paramref name="operation"/>; the caller's own cancellation still propagates as itself.
    /// </summary>
    public static async IAsyncEnumerable<TableEntity> QueryOrUnavailableAsync(
        this TableClient table,
        string? filter,
        IEnumerable<string>? select,
        string operation,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select, cancellationToken).GetAsyncEnumerator(cancellationToken);
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
