namespace TipIntake.Core.FollowUp;

/// <summary>
/// A lookup (docs/follow-up.md, "A wrong code looks like a right one"): the same work in the same order whatever
/// <c>L</c> is. <c>H</c> (one HMAC, and the decoy's, always); one query of the <c>FollowUpKeys</c> partition <c>H</c>;
/// then per thread — a wrong <c>L</c> has one, the decoy — in parallel one point read of <c>Tips</c> and one read of
/// its messages; the same serializer, padded to the same bucket. What it never does: log or keep <c>L</c>, <c>H</c>,
/// a ref or a sealed key. A storage failure propagates, for a right and a wrong <c>L</c> alike.
/// </summary>
public sealed class FollowUpLookup(FollowUpSecrets secrets, IFollowUpStore store, IThreadMessages messages)
{
    /// <summary>Threads one code reaches, at most (a resent, edited report shares the first one's code).</summary>
    public const int MaxThreads = 4;

    /// <summary>The newest messages a thread returns.</summary>
    public const int MaxMessages = 100;

    /// <summary>The padded answer (UTF-8 JSON) for <paramref name="lookup"/>, 32 bytes.</summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    public async Task<byte[]> AnswerAsync(ReadOnlyMemory<byte> lookup, CancellationToken cancellationToken) =>
        LookupMessages.WriteAnswer(await ThreadsAsync(lookup, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// The threads <paramref name="lookup"/> reaches, or its decoy: what <see cref="AnswerAsync"/> writes, and what the
    /// no-script page opens on the server (<see cref="FormFollowUp"/>).
    /// </summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    public async Task<IReadOnlyList<LookupThread>> ThreadsAsync(ReadOnlyMemory<byte> lookup, CancellationToken cancellationToken)
    {
        var hash = secrets.LookupHashOf(lookup.Span);
        var decoy = secrets.DecoyOf(hash);
        var found = await store.FindThreadsAsync(hash, MaxThreads, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<(string Queue, string TipId, FollowUpThread? Thread)> reads = found.Count == 0
            ? [(decoy.TriageQueue, decoy.TipId, null)]
            : [.. found.Select(thread => (thread.TriageQueue, thread.TipId, (FollowUpThread?)thread))];

        var threads = await Task.WhenAll(reads.Select(read => ReadThreadAsync(read.Queue, read.TipId, read.Thread, cancellationToken))).ConfigureAwait(false);

        // A row whose tip is gone (purged, expired) shows nothing of it: a code with no thread left gets the decoy.
        var shown = threads.OfType<LookupThread>().ToList();
        return shown.Count > 0 ? shown : [DecoyOf(decoy)];
    }

    private async Task<LookupThread?> ReadThreadAsync(string queue, string tipId, FollowUpThread? thread, CancellationToken cancellationToken)
    {
        var status = store.ReadStatusAsync(queue, tipId, cancellationToken);
        var newest = messages.ReadNewestAsync(tipId, MaxMessages, cancellationToken);
        await Task.WhenAll(status, newest).ConfigureAwait(false);
        if (thread is null || await status.ConfigureAwait(false) is not { } triageStatus)
        {
            return null;
        }

        var shown = LookupStatuses.Of(triageStatus);
        return new LookupThread(thread.Ref, shown, shown != LookupStatuses.Closed, thread.SealedKey, 0, await newest.ConfigureAwait(false));
    }

    private static LookupThread DecoyOf(DecoyThread decoy) => new(decoy.Ref, LookupStatuses.Received, true, decoy.SealedKey, 0, []);
}
