using TipIntake.Core.Routing;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Processing;

/// <summary>A message taken from a queue: its body as stored (the envelope JSON) and how often it has been delivered.</summary>
public sealed record InboundMessage(string MessageId, ReadOnlyMemory<byte> Body, long DequeueCount);

/// <summary>
/// A decrypted, validated and routed tip, ready for triage. <see cref="Effort"/> is the effort its stamp achieved
/// (null on the no-script path); the store keeps only a coarse band of it. <see cref="FollowUp"/> is the tip's follow-up
/// state for its row (null: not recorded).
/// </summary>
public sealed record StoredTip(
    string TipId,
    RouteDecision Route,
    Tip Tip,
    DateTimeOffset ReceivedHour,
    string ReceiptHash,
    string KeyId,
    int? Effort = null,
    FollowUp.TipFollowUp? FollowUp = null);

/// <summary>
/// The processor's share of the key store's request budget (Key Vault allows ~50 unwraps a second per vault), shared
/// by every instance: one token per unwrap, the main lane first.
/// </summary>
public interface IUnwrapBudget
{
    /// <summary>A token for one unwrap in <paramref name="lane"/>, or false when the budget is spent for now.</summary>
    /// <exception cref="Intake.StorageUnavailableException">The shared budget could not be reached.</exception>
    ValueTask<bool> TryTakeAsync(Intake.Lane lane, CancellationToken cancellationToken);
}

/// <summary>What could not be processed, kept whole (the encrypted message as it arrived) so it can be replayed after a fix.</summary>
public sealed record QuarantineEntry(
    string Id,
    QuarantineReason Reason,
    string Detail,
    ReadOnlyMemory<byte> Message,
    long Attempts,
    string? TipId,
    string? KeyId);

/// <summary>The triage store (table <c>Tips</c>).</summary>
public interface ITipStore
{
    /// <summary>Adds the tip; false when a tip with this id is already there (a redelivery).</summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task<bool> TryAddAsync(StoredTip tip, CancellationToken cancellationToken);

    /// <summary>
    /// The triage queue of the stored tip with this id, or null when there is none. It searches every partition, so it
    /// is for the rare question of the processor, not for a hot path.
    /// </summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task<string?> FindTriageQueueAsync(string tipId, CancellationToken cancellationToken);
}

/// <summary>The quarantine (table <c>Quarantine</c>). Writing the same entry twice leaves one.</summary>
public interface IQuarantine
{
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task PutAsync(QuarantineEntry entry, CancellationToken cancellationToken);
}
