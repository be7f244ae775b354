namespace TipIntake.Core.Triage.Index;

/// <summary>
/// Which triage queue (the <c>Tips</c> partition) holds a tip: what finding a tip by its id needs, answered by one
/// point read instead of a query across every partition.
/// </summary>
public interface ITipLocator
{
    Task<string?> FindQueueAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>Idempotent.</summary>
    Task PutAsync(string tipId, string queue, CancellationToken cancellationToken);

    /// <summary>Idempotent.</summary>
    Task RemoveAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>Every located tip id (the repair job's scan).</summary>
    IAsyncEnumerable<string> ListAsync(CancellationToken cancellationToken);
}
