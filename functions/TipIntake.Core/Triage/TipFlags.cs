using TipIntake.Core.Triage.Index;

namespace TipIntake.Core.Triage;

/// <summary>
/// Sets a tip's follow-up flags (<see cref="TipSummary.AwaitingReporter"/>, <see cref="TipSummary.NewAnswers"/>) the
/// way a triage change moves a tip, so that lists show them and search filters on them: the flags and a change marker
/// in one write guarded by the row's ETag, then the index work, then the marker cleared. Unlike a triage change, the
/// version stays and nothing is audited here (the caller audits what happened: a message sent, an answer received,
/// answers read). A write that meets a newer ETag — an editor's change, index work, another flag — reads the row again.
/// </summary>
public sealed class TipFlags(ITriageStore store, TriageIndexer indexer)
{
    private const int MaxWriteAttempts = 8;

    /// <summary>
    /// Applies <paramref name="flag"/> to the tip's summary. Nothing happens for a tip that is gone or being purged
    /// (retention's to finish), nor when the flags already are as asked and no index work is pending.
    /// </summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached, or the row kept changing.</exception>
    public async Task SetAsync(string queue, string tipId, Func<TipSummary, TipSummary> flag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flag);
        for (var attempt = 0; attempt < MaxWriteAttempts; attempt++)
        {
            if (await store.GetAsync(queue, tipId, cancellationToken).ConfigureAwait(false) is not { } tip || tip.PendingIndex?.Kind == PendingIndexKinds.Purge)
            {
                return;
            }

            var flagged = flag(tip.Summary);
            if (flagged.AwaitingReporter == tip.Summary.AwaitingReporter && flagged.NewAnswers == tip.Summary.NewAnswers && tip.PendingIndex is null)
            {
                return;
            }

            // The row's earlier index work first: this write's marker replaces that one.
            await indexer.CompleteAsync(tip, cancellationToken).ConfigureAwait(false);
            var write = await store.UpdateFlagsAsync(flagged, tip.Summary, tip.StorageETag, cancellationToken).ConfigureAwait(false);
            switch (write)
            {
                case StoreWrite.Written written:
                    var marked = tip with { Summary = flagged, StorageETag = written.ETag, PendingIndex = new PendingIndex(PendingIndexKinds.Change, tip.Summary) };
                    await indexer.CompleteAsync(marked, cancellationToken).ConfigureAwait(false);

                    // Null when the row changed meanwhile: that write carries its own marker, and the next reader completes it.
                    await store.ClearPendingIndexAsync(marked, cancellationToken).ConfigureAwait(false);
                    return;
                case StoreWrite.Missing:
                    return;
            }
        }

        throw new Intake.StorageUnavailableException("The tip kept changing while its follow-up flags were being set.");
    }
}
