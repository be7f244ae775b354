using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Index;

namespace TipIntake.Infrastructure.Triage;

/// <summary>
/// Does the index work a <c>Tips</c> row's marker names and clears the marker (guarded by the row's ETag): what the
/// processor runs after inserting a tip, and again when a redelivery finds the tip already stored.
/// </summary>
public sealed class PendingIndexCompletion(ITriageStore store, TriageIndexer indexer)
{
    /// <summary>Completes the work of a row as it was just written (no read), then as it is, should it have changed meanwhile.</summary>
    public async Task CompleteAsync(TriageTip written, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(written);
        await indexer.CompleteAsync(written, cancellationToken).ConfigureAwait(false);
        if (await store.ClearPendingIndexAsync(written, cancellationToken).ConfigureAwait(false) is null)
        {
            await CompleteAsync(written.Summary.Queue, written.Summary.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task CompleteAsync(string queue, string tipId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (await store.GetAsync(queue, tipId, cancellationToken).ConfigureAwait(false) is not { PendingIndex: not null } tip)
            {
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
