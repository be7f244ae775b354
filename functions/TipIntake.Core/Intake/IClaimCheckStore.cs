namespace TipIntake.Core.Intake;

/// <summary>A JWE kept beside the queue, and when it was written.</summary>
public sealed record ClaimCheck(string Name, DateTimeOffset WrittenAt);

/// <summary>
/// Where a JWE too large for one queue message waits for processing (the claim-check pattern): intake writes it
/// under the tip id before queueing an envelope that names it (<see cref="TipEnvelope.JweRef"/>); the processor reads
/// it, and deletes it once the tip is stored. A quarantined tip keeps its JWE here; retention removes what is left.
/// Failures that may pass throw <see cref="StorageUnavailableException"/>.
/// </summary>
public interface IClaimCheckStore
{
    /// <summary>Writes (or rewrites: a resend carries the same JWE under the same name) <paramref name="compactJwe"/>.</summary>
    Task PutAsync(string name, string compactJwe, CancellationToken cancellationToken);

    /// <summary>The JWE, or null when there is none under <paramref name="name"/>.</summary>
    Task<string?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes it; nothing happens when it is already gone.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every JWE written before <paramref name="writtenBefore"/> (for retention).</summary>
    IAsyncEnumerable<ClaimCheck> ListWrittenBeforeAsync(DateTimeOffset writtenBefore, CancellationToken cancellationToken);
}
