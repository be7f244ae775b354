namespace TipIntake.Core.FollowUp;

/// <summary>
/// A row of <c>FollowUpKeys</c>: PartitionKey <see cref="LookupHash"/> (<c>H</c>), RowKey the tip id; the thread's ref,
/// where its tip is, the reporter's public JWK and the sealed private key. Written with the tip, deleted with it (or
/// when access after closing ends).
/// </summary>
public sealed record FollowUpThread(
    string LookupHash, string TipId, string Ref, string TriageQueue, string PublicKey, string SealedKey, int Version);

/// <summary>The <c>Tips</c> columns of follow-up: the state, the reporter key's RFC 7638 thumbprint and <c>H</c> (to find its row again).</summary>
public sealed record TipFollowUp(string State, string? ReporterKeyThumbprint, string? LookupHash);

/// <summary>The values of <c>Tips.FollowUp</c>.</summary>
public static class FollowUpStates
{
    public const string None = "none";
    public const string Active = "active";
    public const string Expired = "expired";
    public const string RejectedPrefix = "rejected:";

    public static string Rejected(FollowUpRejection rejection) => RejectedPrefix + Codes.Of(rejection);
}

/// <summary>One message of a thread as the lookup returns it: still encrypted to the reporter's key.</summary>
public sealed record ThreadMessage(string Id, string From, string Day, string Jwe);

/// <summary>Table <c>FollowUpKeys</c>, and the one column of <c>Tips</c> a lookup reads.</summary>
public interface IFollowUpStore
{
    /// <summary>Writes the row, or writes it again unchanged (a redelivered message): never a conflict, never a second row.</summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task PutThreadAsync(FollowUpThread thread, CancellationToken cancellationToken);

    /// <summary>At most <paramref name="max"/> rows of the partition <paramref name="lookupHash"/> (one query, whatever it finds).</summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task<IReadOnlyList<FollowUpThread>> FindThreadsAsync(string lookupHash, int max, CancellationToken cancellationToken);

    /// <summary>
    /// The triage status of the tip (one point read), or null when there is no such tip or its follow-up has expired.
    /// A decoy's key is read the same way and never exists.
    /// </summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task<string?> ReadStatusAsync(string triageQueue, string tipId, CancellationToken cancellationToken);
}

/// <summary>
/// The messages of a thread (table <c>TipMessages</c>, partition = tip id). Read for a right and a wrong code alike (a
/// decoy reads a partition that never exists), so both cost the same reads.
/// </summary>
public interface IThreadMessages
{
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task<IReadOnlyList<ThreadMessage>> ReadNewestAsync(string tipId, int max, CancellationToken cancellationToken);
}
