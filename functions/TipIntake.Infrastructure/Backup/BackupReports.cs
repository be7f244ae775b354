namespace TipIntake.Infrastructure.Backup;

/// <summary>A snapshot taken: its name and how many entities each table gave.</summary>
public sealed record BackupReport(string Snapshot, IReadOnlyList<TableCount> Tables);

public sealed record TableCount(string Table, long Entities);

/// <summary>A snapshot checked against its manifest: every line parsed, counted and hashed.</summary>
public sealed record VerifyReport(string Snapshot, IReadOnlyList<TableVerification> Tables)
{
    public bool IsWhole => Tables.Count > 0 && Tables.All(table => table.IsWhole);
}

public sealed record TableVerification(string Table, long Expected, long Found, bool HashMatches, string? Problem = null)
{
    public bool IsWhole => Problem is null && HashMatches && Expected == Found;
}

/// <summary>How a restore treats an entity that is already in the table.</summary>
public enum RestoreMode
{
    /// <summary>Keep what the table has; add only what is missing (the default: a restore never undoes later work).</summary>
    AddMissing,

    /// <summary>Replace it with the snapshot's version.</summary>
    Replace,
}

public sealed record RestoreReport(string Snapshot, RestoreMode Mode, IReadOnlyList<TableRestore> Tables);

public sealed record TableRestore(string Table, long Read, long Added, long AlreadyThere, long Replaced);

/// <summary>A snapshot that cannot be used: not found, incomplete, or not matching its manifest. The message says which.</summary>
public sealed class BackupUnusableException : Exception
{
    public BackupUnusableException()
    {
    }

    public BackupUnusableException(string message)
        : base(message)
    {
    }

    public BackupUnusableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
