using System.Text.RegularExpressions;

namespace TipIntake.Infrastructure.Backup;

/// <summary>
/// A snapshot's name: the UTC hour it was taken and six random hex digits, e.g. <c>2026-12-02T02Z-3f9a1c</c>. The hour,
/// never a finer time, like everything else this project keeps; the random part lets two snapshots share an hour.
/// Its blobs are <c>{name}/{table}.jsonl.gz</c>, and <c>{name}/manifest.json</c>, written last, says it is whole.
/// </summary>
internal static partial class BackupSnapshot
{
    public const string ManifestFileName = "manifest.json";
    public const string Format = "tipintake-table-backup/1";

    public static string NewName(DateTimeOffset now) =>
        now.UtcDateTime.ToString("yyyy-MM-dd'T'HH'Z'", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    public static bool IsName(string? name) => name is not null && Name().IsMatch(name);

    public static string TableBlob(string snapshot, string table) => $"{snapshot}/{table}.jsonl.gz";

    public static string ManifestBlob(string snapshot) => $"{snapshot}/{ManifestFileName}";

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}Z-[0-9a-f]{6}\z")]
    private static partial Regex Name();
}

/// <summary>What a snapshot holds: written after every table blob, so a snapshot without it is incomplete.</summary>
internal sealed record BackupManifest(string Format, string Snapshot, IReadOnlyList<BackupManifestTable> Tables);

/// <summary>One table's blob: how many entities and the SHA-256 of its uncompressed lines.</summary>
internal sealed record BackupManifestTable(string Table, string Blob, long Entities, string Sha256);

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class BackupManifestJsonContext : JsonSerializerContext;
