using TipIntake.Core.Triage;

namespace TipIntake.Core.Retention;

/// <summary>A closed tip past its retention, with the version (storage ETag) it was read at.</summary>
public sealed record ExpiredTip(string TipId, string Queue, string ETag);

/// <summary>A quarantined message past its retention: its id, reason code and the version it was read at.</summary>
public sealed record ExpiredQuarantine(string Id, string Reason, string ETag)
{
    /// <summary>
    /// For a file quarantined <c>attachment-mismatch</c>, the row's manifest entry, which names the upload whose blob it
    /// keeps; empty for every other row (the run reads no other message).
    /// </summary>
    public ReadOnlyMemory<byte> Message { get; init; }
}

/// <summary>What retention finds and deletes: tables <c>Tips</c>, <c>TipNotes</c>, <c>Quarantine</c>, <c>TipEvents</c>.</summary>
public interface IRetentionStore
{
    /// <summary>Tips in status <c>closed</c> whose last change is before <paramref name="changedBefore"/>.</summary>
    IAsyncEnumerable<ExpiredTip> FindClosedTipsAsync(DateTimeOffset changedBefore, CancellationToken cancellationToken);

    /// <summary>Quarantine rows last written before <paramref name="writtenBefore"/>.</summary>
    IAsyncEnumerable<ExpiredQuarantine> FindQuarantineAsync(DateTimeOffset writtenBefore, CancellationToken cancellationToken);

    /// <summary>Deletes the tip's row if its ETag is still the one read; false when it changed meanwhile or is gone.</summary>
    Task<bool> DeleteTipAsync(ExpiredTip tip, CancellationToken cancellationToken);

    /// <summary>Deletes every staff note of a tip.</summary>
    Task DeleteNotesAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>Deletes the quarantine row if its ETag is still the one read; false when it changed meanwhile or is gone.</summary>
    Task<bool> DeleteQuarantineAsync(ExpiredQuarantine entry, CancellationToken cancellationToken);

    /// <summary>
    /// The ids of every <c>Quarantine</c> row, whatever its reason (partition). A quarantined tip keeps its
    /// claim-checked JWE, so such a JWE is no orphan.
    /// </summary>
    Task<IReadOnlySet<string>> QuarantinedIdsAsync(CancellationToken cancellationToken);

    /// <summary>The id of every tip that has a row in <c>Tips</c> (keys only).</summary>
    Task<IReadOnlySet<string>> StoredTipIdsAsync(CancellationToken cancellationToken);

    /// <summary>Whether the tip's trail records its purge (<c>purged</c>, actor <c>retention</c>).</summary>
    Task<bool> WasPurgedAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>Appends an audit event to <c>TipEvents</c> (insert-only; the trail is never purged).</summary>
    Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken);
}
