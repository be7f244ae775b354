using System.Buffers;
using System.IO.Compression;
using Azure.Data.Tables.Models;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace TipIntake.Infrastructure.Backup;

/// <summary>
/// Backup of the tables Table Storage cannot undelete: <c>Tips</c>, <c>TipNotes</c>, <c>TipMessages</c>, <c>TipEvents</c>,
/// <c>TipRelations</c>, <c>Quarantine</c> and <c>Attachments</c> (not <c>TipIndex</c>: derived from <c>Tips</c>, rebuilt by the repair
/// job after a restore), exported entity by entity (every property with its type, not the table's own <c>Timestamp</c>)
/// into the blob container <c>tips-backup</c>, which the templates protect with a time-based immutability policy.
/// Backups hold what the tables hold: quarantined messages stay encrypted. The daily timer <c>BackupTables</c> and the
/// <c>TipIntake.Operations</c> command (<c>backup</c>, <c>list</c>, <c>verify</c>, <c>restore</c>) both use this class.
/// </summary>
public sealed partial class TableBackup(TableServiceClient tables, BlobServiceClient blobs, TimeProvider time, ILogger<TableBackup> logger)
{
    /// <summary>Restores write this many entities at once.</summary>
    private const int RestoreParallelism = 8;

    public static IReadOnlyList<string> Tables { get; } =
        [
            StorageNames.TipsTable, StorageNames.NotesTable, StorageNames.MessagesTable, StorageNames.EventsTable, StorageNames.RelationsTable,
            StorageNames.QuarantineTable, StorageNames.AttachmentsTable,
        ];

    /// <summary>Tables of the app that are not backed up, and why.</summary>
    public static IReadOnlyDictionary<string, string> NotBackedUp { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [StorageNames.IndexTable] = "derived from Tips; the repair job rebuilds it after a restore",
    };

    private BlobContainerClient Container => blobs.GetBlobContainerClient(StorageNames.BackupContainer);

    /// <summary>Takes a snapshot of every table now. A failure leaves a snapshot without manifest, which is never restored.</summary>
    public async Task<BackupReport> ExportAsync(CancellationToken cancellationToken)
    {
        var snapshot = BackupSnapshot.NewName(time.GetUtcNow());
        var written = new List<BackupManifestTable>();
        foreach (var table in Tables)
        {
            try
            {
                written.Add(await ExportTableAsync(snapshot, table, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
            {
                Log.TableBackupFailed(logger, table, ex.GetType().Name);
                throw StorageFailures.Wrap($"Backing up {table}", ex);
            }
        }

        var manifest = new BackupManifest(BackupSnapshot.Format, snapshot, written);
        await Container.GetBlobClient(BackupSnapshot.ManifestBlob(snapshot))
            .UploadAsync(BinaryData.FromObjectAsJson(manifest, BackupManifestJsonContext.Default.BackupManifest), NoOverwrite("application/json"), cancellationToken)
            .ConfigureAwait(false);

        var counts = written.ToDictionary(t => t.Table, t => t.Entities, StringComparer.Ordinal);
        Log.TableBackupCompleted(
            logger, snapshot, counts[StorageNames.TipsTable], counts[StorageNames.NotesTable], counts[StorageNames.EventsTable], counts[StorageNames.QuarantineTable]);
        return new BackupReport(snapshot, written.Select(t => new TableCount(t.Table, t.Entities)).ToList());
    }

    /// <summary>The complete snapshots (those with a manifest), newest first.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken)
    {
        var snapshots = new List<string>();
        await foreach (var blob in Container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var slash = blob.Name.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && blob.Name[(slash + 1)..] == BackupSnapshot.ManifestFileName && BackupSnapshot.IsName(blob.Name[..slash]))
            {
                snapshots.Add(blob.Name[..slash]);
            }
        }

        return snapshots.OrderDescending(StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads every table blob of <paramref name="snapshot"/> and checks it against the manifest.</summary>
    public async Task<VerifyReport> VerifyAsync(string snapshot, CancellationToken cancellationToken)
    {
        var manifest = await ReadManifestAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var results = new List<TableVerification>();
        foreach (var table in manifest.Tables)
        {
            results.Add(await VerifyTableAsync(table, cancellationToken).ConfigureAwait(false));
        }

        var report = new VerifyReport(snapshot, results);
        if (!report.IsWhole)
        {
            Log.BackupNotWhole(logger, snapshot);
        }

        return report;
    }

    /// <summary>
    /// Writes <paramref name="snapshot"/> back into the tables, after checking it whole. <see cref="RestoreMode.AddMissing"/>
    /// leaves entities that exist as they are. The tables must exist (the templates create them) unless
    /// <paramref name="createTables"/>.
    /// </summary>
    public async Task<RestoreReport> RestoreAsync(
        string snapshot, RestoreMode mode, IReadOnlyCollection<string>? onlyTables, bool createTables, CancellationToken cancellationToken)
    {
        var manifest = await ReadManifestAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var chosen = manifest.Tables.Where(t => onlyTables is null || onlyTables.Contains(t.Table, StringComparer.Ordinal)).ToList();
        if (onlyTables?.Except(chosen.Select(t => t.Table), StringComparer.Ordinal).FirstOrDefault() is { } unknown)
        {
            throw new BackupUnusableException($"Snapshot {snapshot} has no table {unknown}; it has {string.Join(", ", manifest.Tables.Select(t => t.Table))}.");
        }

        // Check first: a restore never starts from a snapshot that turns out damaged half-way.
        foreach (var table in chosen)
        {
            var check = await VerifyTableAsync(table, cancellationToken).ConfigureAwait(false);
            if (!check.IsWhole)
            {
                throw new BackupUnusableException(
                    $"Snapshot {snapshot}, table {table.Table}: {check.Problem ?? $"{check.Found} entities read, {table.Entities} expected, hash {(check.HashMatches ? "matches" : "differs")}"}. Nothing was restored.");
            }
        }

        var results = new List<TableRestore>();
        foreach (var table in chosen)
        {
            var result = await RestoreTableAsync(table, mode, createTables, cancellationToken).ConfigureAwait(false);
            Log.TableRestored(logger, snapshot, result.Table, result.Added, result.AlreadyThere, result.Replaced);
            results.Add(result);
        }

        return new RestoreReport(snapshot, mode, results);
    }

    private async Task<BackupManifestTable> ExportTableAsync(string snapshot, string table, CancellationToken cancellationToken)
    {
        var name = BackupSnapshot.TableBlob(snapshot, table);
        var blob = Container.GetBlockBlobClient(name);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var line = new ArrayBufferWriter<byte>();
        long count = 0;
        var upload = await blob.OpenWriteAsync(
            overwrite: true,
            new BlockBlobOpenWriteOptions
            {
                OpenConditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/gzip" },
            },
            cancellationToken).ConfigureAwait(false);
        await using (upload.ConfigureAwait(false))
        {
            var gzip = new GZipStream(upload, CompressionLevel.Optimal, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                var entities = tables.GetTableClient(table).QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken);
                await foreach (var entity in entities.ConfigureAwait(false))
                {
                    line.ResetWrittenCount();
                    EntityLines.Write(entity, line);
                    hash.AppendData(line.WrittenSpan);
                    await gzip.WriteAsync(line.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    count++;
                }
            }
        }

        return new BackupManifestTable(table, name, count, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    private async Task<TableVerification> VerifyTableAsync(BackupManifestTable table, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long found = 0;
        try
        {
            await foreach (var line in ReadLinesAsync(table.Blob, cancellationToken).ConfigureAwait(false))
            {
                EntityLines.Read(line.Span);
                hash.AppendData(line.Span);
                hash.AppendData("\n"u8);
                found++;
            }
        }
        catch (FormatException)
        {
            return new TableVerification(table.Table, table.Entities, found, false, $"line {found + 1} is not an entity");
        }
        catch (InvalidDataException)
        {
            return new TableVerification(table.Table, table.Entities, found, false, "the blob is not a whole gzip stream");
        }
        catch (RequestFailedException failed) when (failed.Status == 404)
        {
            return new TableVerification(table.Table, table.Entities, 0, false, $"blob {table.Blob} is missing");
        }

        var matches = string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), table.Sha256, StringComparison.Ordinal);
        return new TableVerification(table.Table, table.Entities, found, matches);
    }

    private async Task<TableRestore> RestoreTableAsync(BackupManifestTable table, RestoreMode mode, bool createTables, CancellationToken cancellationToken)
    {
        var client = tables.GetTableClient(table.Table);
        if (createTables)
        {
            await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }

        long read = 0, added = 0, alreadyThere = 0, replaced = 0;
        var entities = ReadLinesAsync(table.Blob, cancellationToken).Select(line => EntityLines.Read(line.Span));
        await Parallel.ForEachAsync(
            entities,
            new ParallelOptions { MaxDegreeOfParallelism = RestoreParallelism, CancellationToken = cancellationToken },
            async (entity, token) =>
            {
                Interlocked.Increment(ref read);
                if (mode == RestoreMode.Replace)
                {
                    await client.UpsertEntityAsync(entity, TableUpdateMode.Replace, token).ConfigureAwait(false);
                    Interlocked.Increment(ref replaced);
                    return;
                }

                try
                {
                    await client.AddEntityAsync(entity, token).ConfigureAwait(false);
                    Interlocked.Increment(ref added);
                }
                catch (RequestFailedException conflict) when (conflict.Status == 409 && conflict.ErrorCode == TableErrorCode.EntityAlreadyExists)
                {
                    Interlocked.Increment(ref alreadyThere);
                }
            }).ConfigureAwait(false);

        return new TableRestore(table.Table, read, added, alreadyThere, replaced);
    }

    private async Task<BackupManifest> ReadManifestAsync(string snapshot, CancellationToken cancellationToken)
    {
        if (!BackupSnapshot.IsName(snapshot))
        {
            throw new BackupUnusableException($"'{snapshot}' is not a snapshot name (like 2026-12-02T02Z-3f9a1c): see the list command.");
        }

        BinaryData content;
        try
        {
            content = (await Container.GetBlobClient(BackupSnapshot.ManifestBlob(snapshot)).DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
        }
        catch (RequestFailedException missing) when (missing.Status == 404)
        {
            throw new BackupUnusableException($"Snapshot {snapshot} has no manifest: it does not exist, or its export did not finish.", missing);
        }

        BackupManifest? manifest;
        try
        {
            manifest = content.ToObjectFromJson(BackupManifestJsonContext.Default.BackupManifest);
        }
        catch (JsonException bad)
        {
            throw new BackupUnusableException($"Snapshot {snapshot}: the manifest is not readable.", bad);
        }

        return manifest is { Format: BackupSnapshot.Format } && manifest.Snapshot == snapshot
            ? manifest
            : throw new BackupUnusableException($"Snapshot {snapshot}: the manifest is not a {BackupSnapshot.Format} manifest of this snapshot.");
    }

    /// <summary>The uncompressed lines of a table blob, without their line feeds.</summary>
    private async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadLinesAsync(string blobName, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var download = await Container.GetBlobClient(blobName).OpenReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using (download.ConfigureAwait(false))
        {
            var gzip = new GZipStream(download, CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                using var reader = new StreamReader(gzip, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
                {
                    yield return Encoding.UTF8.GetBytes(text);
                }
            }
        }
    }

    private static BlobUploadOptions NoOverwrite(string contentType) => new()
    {
        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
    };

    private static partial class Log
    {
        /// <summary>What the "backup has not run" alert looks for (infra/modules/alerts.bicep). Counts only; the name holds the hour.</summary>
        [LoggerMessage(6101, LogLevel.Information, "Table backup {Snapshot} written: {Tips} tips, {Notes} notes, {Events} audit events, {Quarantine} quarantined messages")]
        public static partial void TableBackupCompleted(ILogger logger, string snapshot, long tips, long notes, long events, long quarantine);

        [LoggerMessage(6102, LogLevel.Error, "Table backup failed while reading or writing {Table} ({ErrorType}); the snapshot has no manifest and is never restored")]
        public static partial void TableBackupFailed(ILogger logger, string table, string errorType);

        [LoggerMessage(6103, LogLevel.Information, "Restored {Table} from snapshot {Snapshot}: {Added} added, {AlreadyThere} already there, {Replaced} replaced")]
        public static partial void TableRestored(ILogger logger, string snapshot, string table, long added, long alreadyThere, long replaced);

        [LoggerMessage(6104, LogLevel.Warning, "Backup snapshot {Snapshot} does not match its manifest")]
        public static partial void BackupNotWhole(ILogger logger, string snapshot);
    }
}
