namespace TipIntake.Infrastructure.Triage;

/// <summary>
/// The processor's part of indexing a stored tip: its locator, views and filters at once (listed and counted), its
/// content handed to the <see cref="ContentIndexWorker"/> (the row's marker stays until that is done). On a redelivery
/// it does the same again from the row, or completes whatever other work the row's marker names.
/// </summary>
public sealed class PendingIndexCompletion(ITriageStore store, TriageIndexer indexer, ContentIndexWorker worker)
{
    /// <summary>A row as it was just inserted (no read).</summary>
    public async Task CompleteAsync(TriageTip written, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(written);
        await indexer.IndexSummaryAsync(written.Summary, cancellationToken).ConfigureAwait(false);
        worker.Wake();
    }

    /// <summary>A row found already stored (a redelivery).</summary>
    public async Task CompleteAsync(string queue, string tipId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // A purge is retention's to finish: clearing its mark here would keep a tip it has taken out of the index.
            if (await store.GetAsync(queue, tipId, cancellationToken).ConfigureAwait(false) is not { PendingIndex: not null } tip
                || tip.PendingIndex.Kind == PendingIndexKinds.Purge)
            {
                return;
            }

            if (tip.PendingIndex.Kind == PendingIndexKinds.New)
            {
                await CompleteAsync(tip, cancellationToken).ConfigureAwait(false);
                return;
            }

            await indexer.CompleteAsync(tip, cancellationToken).ConfigureAwait(false);

            // Null: the row changed meanwhile (a triage change carries its own work, already done or pending).
            if (await store.ClearPendingIndexAsync(tip, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }
    }
}
