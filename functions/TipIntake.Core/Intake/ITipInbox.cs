namespace TipIntake.Core.Intake;

/// <summary>
/// The inbound queues, one per <see cref="Lane"/> (<c>tips-inbound</c>, <c>tips-inbound-bulk</c>). A tip counts as
/// accepted only once <see cref="EnqueueAsync"/> returns.
/// </summary>
public interface ITipInbox
{
    /// <exception cref="StorageUnavailableException">The queue did not accept the message.</exception>
    Task EnqueueAsync(TipEnvelope envelope, Lane lane, CancellationToken cancellationToken);

    /// <summary>
    /// Puts a message taken from a lane back on <paramref name="lane"/>, as it was, visible after
    /// <paramref name="delay"/>: how the processor defers work (before the message it came from is completed, so a crash
    /// in between leaves two copies of one tip, which insert-only <c>Tips</c> keeps once).
    /// </summary>
    /// <exception cref="StorageUnavailableException">The queue did not accept the message.</exception>
    Task RequeueAsync(Lane lane, ReadOnlyMemory<byte> message, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>The approximate number of messages in <paramref name="lane"/>, visible or not.</summary>
    /// <exception cref="StorageUnavailableException">The queue could not be reached.</exception>
    Task<long> CountAsync(Lane lane, CancellationToken cancellationToken);
}
