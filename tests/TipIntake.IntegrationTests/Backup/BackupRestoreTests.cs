using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core;
using TipIntake.Core.Attachments;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Tips;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Related;
using TipIntake.Infrastructure.Backup;
using TipIntake.Infrastructure.Storage;
using TipIntake.IntegrationTests.Triage;
using TipIntake.Operations;

namespace TipIntake.IntegrationTests.Backup;

/// <summary>
/// Table backup on real Azurite, one storage account per test: the daily <c>BackupTables</c> function exports, the
/// tables are wiped, the documented <c>TipIntake.Operations restore</c> command brings them back, and every entity is
/// compared property by property, type included.
/// </summary>
public sealed class BackupRestoreTests : IAsyncLifetime
{
    private TriageHost _host = null!;

    private string ConnectionString => _host.Host.ConnectionString;

    private IServiceProvider Services => _host.Host.App;

    public async Task InitializeAsync() => _host = await TriageHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Export_wipe_restore_gives_back_every_entity_of_every_table_property_by_property()
    {
        var marker = await SeedEveryKindOfRowAsync();
        var before = await ReadAllAsync();
        Assert.All(TableBackup.Tables, table => Assert.True(before[table].Count >= 2, $"{table} was not seeded"));

        await RunBackupFunctionAsync();
        await WipeAsync();
        Assert.All((await ReadAllAsync()).Values, Assert.Empty);

        var (exit, output, error) = await OperationsAsync("restore", "latest", "--connection-string", ConnectionString);

        Assert.True(exit == OperationsCommand.Done, $"restore exited {exit}: {error}");
        var after = await ReadAllAsync();
        foreach (var table in TableBackup.Tables)
        {
            AssertSameEntities(table, before[table], after[table]);
            Assert.Contains($"{table}: {before[table].Count} read, {before[table].Count} added, 0 already there (kept), 0 replaced", output, StringComparison.Ordinal);
        }

        // The restored tip reads back whole through triage, long narrative included.
        var tip = before[StorageNames.TipsTable].Single(e => e.GetString("Narrative")?.StartsWith(marker, StringComparison.Ordinal) == true);
        var (read, _) = await _host.ReadTipAsync(tip.RowKey);
        Assert.StartsWith(marker, read.GetProperty("narrative").GetString(), StringComparison.Ordinal);
        Assert.True(read.GetProperty("narrative").GetString()!.Length > 32_000);
    }

    [Fact]
    public async Task Snapshot_keeps_no_table_timestamp_and_its_name_no_time_finer_than_the_hour()
    {
        await SeedEveryKindOfRowAsync();
        var report = await Services.GetRequiredService<TableBackup>().ExportAsync(default);

        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}Z-[0-9a-f]{6}$", report.Snapshot);
        Assert.Equal(TableBackup.Tables, report.Tables.Select(t => t.Table));
        var container = new BlobServiceClient(ConnectionString).GetBlobContainerClient(StorageNames.BackupContainer);
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, report.Snapshot + "/", default))
        {
            names.Add(blob.Name);
        }

        Assert.Equal(
            new[] { "Attachments.jsonl.gz", "Quarantine.jsonl.gz", "TipEvents.jsonl.gz", "TipMessages.jsonl.gz", "TipNotes.jsonl.gz", "TipRelations.jsonl.gz", "Tips.jsonl.gz", "manifest.json" }.Select(n => $"{report.Snapshot}/{n}"),
            names.Order(StringComparer.Ordinal));
        foreach (var table in TableBackup.Tables)
        {
            var lines = await ReadSnapshotLinesAsync(container, $"{report.Snapshot}/{table}.jsonl.gz");
            Assert.Equal(report.Tables.Single(t => t.Table == table).Entities, lines.Count);
            Assert.All(lines, line => Assert.DoesNotContain("\"Timestamp\"", line, StringComparison.Ordinal));
            Assert.All(lines, line => Assert.DoesNotContain("odata.etag", line, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Restore_by_default_keeps_what_the_tables_have_and_replace_overwrites_it()
    {
        var marker = await SeedEveryKindOfRowAsync();
        var report = await Services.GetRequiredService<TableBackup>().ExportAsync(default);
        var tip = (await ReadAllAsync())[StorageNames.TipsTable].Single(e => e.GetString("Narrative")?.StartsWith(marker, StringComparison.Ordinal) == true);
        var changed = new TableEntity(tip.PartitionKey, tip.RowKey) { ["Status"] = "changed-after-the-backup" };
        await _host.Host.Tips.UpdateEntityAsync(changed, Azure.ETag.All, TableUpdateMode.Merge);

        var (kept, keptOutput, _) = await OperationsAsync("restore", report.Snapshot, "--tables", "Tips", "--connection-string", ConnectionString);

        Assert.Equal(OperationsCommand.Done, kept);
        Assert.Contains("0 added", keptOutput, StringComparison.Ordinal);
        Assert.Equal("changed-after-the-backup", (await _host.Host.Tips.GetEntityAsync<TableEntity>(tip.PartitionKey, tip.RowKey)).Value.GetString("Status"));

        var (replaced, replacedOutput, _) = await OperationsAsync("restore", report.Snapshot, "--tables", "Tips", "--replace", "--connection-string", ConnectionString);

        Assert.Equal(OperationsCommand.Done, replaced);
        Assert.Contains("Restored from snapshot " + report.Snapshot + " (Replace)", replacedOutput, StringComparison.Ordinal);
        Assert.Equal(tip.GetString("Status"), (await _host.Host.Tips.GetEntityAsync<TableEntity>(tip.PartitionKey, tip.RowKey)).Value.GetString("Status"));
    }

    [Fact]
    public async Task A_damaged_snapshot_fails_verify_and_restores_nothing()
    {
        await SeedEveryKindOfRowAsync();
        var report = await Services.GetRequiredService<TableBackup>().ExportAsync(default);
        Assert.Equal(OperationsCommand.Done, (await OperationsAsync("verify", report.Snapshot, "--connection-string", ConnectionString)).Exit);
        // Azurite has no immutability policy: in Azure this overwrite is refused (docs/deploy.md).
        var container = new BlobServiceClient(ConnectionString).GetBlobContainerClient(StorageNames.BackupContainer);
        var lines = await ReadSnapshotLinesAsync(container, $"{report.Snapshot}/Tips.jsonl.gz");
        await WriteSnapshotLinesAsync(container, $"{report.Snapshot}/Tips.jsonl.gz", lines.Skip(1));
        await WipeAsync();

        var verify = await OperationsAsync("verify", report.Snapshot, "--connection-string", ConnectionString);
        var restore = await OperationsAsync("restore", report.Snapshot, "--connection-string", ConnectionString);

        Assert.Equal(OperationsCommand.Failed, verify.Exit);
        Assert.Contains($"Tips: {lines.Count - 1} of {lines.Count} entities, hash differs", verify.Output, StringComparison.Ordinal);
        Assert.Contains("is NOT whole", verify.Error, StringComparison.Ordinal);
        Assert.Equal(OperationsCommand.Failed, restore.Exit);
        Assert.Contains("Nothing was restored", restore.Error, StringComparison.Ordinal);
        Assert.All((await ReadAllAsync()).Values, Assert.Empty);
    }

    [Fact]
    public async Task A_snapshot_without_its_manifest_is_neither_listed_nor_restored()
    {
        var container = new BlobServiceClient(ConnectionString).GetBlobContainerClient(StorageNames.BackupContainer);
        const string Unfinished = "2026-12-02T02Z-abcdef";
        await WriteSnapshotLinesAsync(container, $"{Unfinished}/Tips.jsonl.gz", []);

        var list = await OperationsAsync("list", "--connection-string", ConnectionString);
        var restore = await OperationsAsync("restore", Unfinished, "--connection-string", ConnectionString);
        var latest = await OperationsAsync("restore", "latest", "--connection-string", ConnectionString);

        Assert.Equal((OperationsCommand.Done, ""), (list.Exit, list.Output));
        Assert.Equal(OperationsCommand.Failed, restore.Exit);
        Assert.Contains("has no manifest", restore.Error, StringComparison.Ordinal);
        Assert.Equal(OperationsCommand.Failed, latest.Exit);
        Assert.Contains("holds no complete snapshot", latest.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], OperationsCommand.Done, "Commands:")]
    [InlineData(new[] { "restore" }, OperationsCommand.Usage, "restore needs a snapshot name")]
    [InlineData(new[] { "rewind" }, OperationsCommand.Usage, "Unknown command 'rewind'")]
    [InlineData(new[] { "list" }, OperationsCommand.Usage, "Which storage?")]
    [InlineData(new[] { "verify", "not-a-snapshot", "--connection-string", "UseDevelopmentStorage=true" }, OperationsCommand.Failed, "is not a snapshot name")]
    [InlineData(new[] { "list", "--connection-string", "AccountKey=secret-looking-text" }, OperationsCommand.Usage, "is not one (its text is not repeated here)")]
    public async Task Command_line_mistakes_are_named_without_touching_storage(string[] args, int exit, string message)
    {
        var result = await OperationsAsync(args);

        Assert.Equal(exit, result.Exit);
        Assert.Contains(message, result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-looking-text", result.Output + result.Error, StringComparison.Ordinal);
    }

    /// <summary>A tip with a two-column narrative, notes, an answer in its thread, audit events, a quarantined message, and in every table one row with every property type.</summary>
    private async Task<string> SeedEveryKindOfRowAsync()
    {
        var marker = TestTips.NewMarker();
        var store = Services.GetRequiredService<ITipStore>();
        var id = TipIntakeService.NewTipId();
        var narrative = marker + " " + string.Concat(Enumerable.Repeat("𠀋", 19_900));
        var tip = new Tip(TipCategories.ForcedRepatriation, narrative, TipUrgencies.Imminent, new TipLocation("CN", "Jilin", "Tumen"),
            new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), 4, "ko", "contact " + marker);
        Assert.True(await store.TryAddAsync(new StoredTip(id, new RouteDecision("urgent", 1), tip, TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow), "hash", "kid"), default));
        var other = await _host.SeedAsync(TestTips.NewMarker());
        await Services.GetRequiredService<ITipRelations>().SuggestAsync(id, [new RelatedSuggestion(other, [new RelationReason(RelationReasons.SameContact)])], default);

        var triage = Services.GetRequiredService<ITriageStore>();
        var at = DateTimeOffset.UtcNow;
        await triage.AddNoteAsync(id, new TipNote(TriageIds.NewTimeOrdered(at), "oid-editor", "Editor", "note " + marker, at), default);
        await triage.AddEventAsync(new TipEvent(id, TriageIds.NewTimeOrdered(at), at, "oid-editor", Codes.Of(TipEventAction.StatusChanged), "new", "in-review"), default);
        await Services.GetRequiredService<IAnswerStore>().AppendAsync(
            new StoredAnswer(id, "urgent", TipIntakeService.NewTipId(), TipEnvelope.TruncateToHour(at), "answer " + marker, "ko", "reporter-copy"), default);
        await Services.GetRequiredService<IQuarantine>().PutAsync(
            new QuarantineEntry(id, QuarantineReason.TagMismatch, "AES-GCM authentication failed", RandomNumberGenerator.GetBytes(3000), 2, id, "kid"), default);
        await Services.GetRequiredService<ITipAttachmentStore>().PutAsync(new TipAttachment(id, 1, AttachmentState.Attached, new AttachmentEntry(
            "AAAAAAAAAAAAAAAAAAAAAA", RandomNumberGenerator.GetBytes(32), 3, ChunkLayout.LargeChunkBytes, "kid", "wrapped-" + marker, 3_000_000,
            RandomNumberGenerator.GetBytes(32), "image/jpeg", "photo-1.jpg", "scrubbed", ["location", "camera"])), default);

        var tables = new TableServiceClient(ConnectionString);
        foreach (var table in TableBackup.Tables)
        {
            await tables.GetTableClient(table).AddEntityAsync(EveryType($"types-{table}"));
        }

        return marker;
    }

    private static TableEntity EveryType(string partition) => new(partition, "row")
    {
        ["Text"] = "line one\nline two 𠀋 \"quoted\"",
        ["Int32"] = int.MinValue,
        ["Int64"] = long.MaxValue - 7,
        ["DoubleIntegral"] = 5.0,
        ["DoubleFraction"] = 0.1,
        ["DoubleTiny"] = double.Epsilon,
        ["Flag"] = true,
        ["At"] = new DateTimeOffset(2026, 12, 2, 2, 59, 59, TimeSpan.Zero).AddTicks(1234567),
        ["Id"] = Guid.NewGuid(),
        ["Bytes"] = RandomNumberGenerator.GetBytes(777),
        ["Empty"] = "",
    };

    private async Task RunBackupFunctionAsync()
    {
        // The BackupTables function itself, in the worker, invoked by the local host's timer trigger as the schedule would.
        await _host.Host.Host.Services.GetRequiredService<Microsoft.Azure.WebJobs.IJobHost>().CallAsync(
            "BackupTables", new Dictionary<string, object?> { ["timer"] = new Microsoft.Azure.WebJobs.TimerInfo(null, null) });
        Assert.Contains("Table backup ", _host.Host.Logs.All, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, List<TableEntity>>> ReadAllAsync()
    {
        var tables = new TableServiceClient(ConnectionString);
        var all = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        foreach (var table in TableBackup.Tables)
        {
            var rows = new List<TableEntity>();
            await foreach (var row in tables.GetTableClient(table).QueryAsync<TableEntity>())
            {
                rows.Add(row);
            }

            all[table] = rows;
        }

        return all;
    }

    private async Task WipeAsync()
    {
        foreach (var (table, rows) in await ReadAllAsync())
        {
            var client = new TableServiceClient(ConnectionString).GetTableClient(table);
            foreach (var row in rows)
            {
                await client.DeleteEntityAsync(row.PartitionKey, row.RowKey);
            }
        }
    }

    private static void AssertSameEntities(string table, List<TableEntity> expected, List<TableEntity> actual)
    {
        static string Key(TableEntity e) => e.PartitionKey + "\u0000" + e.RowKey;
        Assert.Equal(expected.Select(Key).Order(StringComparer.Ordinal), actual.Select(Key).Order(StringComparer.Ordinal));
        var byKey = actual.ToDictionary(Key, StringComparer.Ordinal);
        foreach (var entity in expected)
        {
            var restored = byKey[Key(entity)];
            var names = Properties(entity).Select(p => p.Key).ToList();
            Assert.Equal(names, Properties(restored).Select(p => p.Key));
            foreach (var name in names)
            {
                var (was, now) = (entity[name], restored[name]);
                Assert.True(was.GetType() == now.GetType(), $"{table} {entity.RowKey} {name}: {was.GetType().Name} became {now.GetType().Name}");
                Assert.True(Comparable(was).Equals(Comparable(now)), $"{table} {entity.RowKey} {name} differs after the restore");
            }
        }
    }

    private static IEnumerable<KeyValuePair<string, object>> Properties(TableEntity entity) =>
        entity.Where(p => p.Key is not ("Timestamp" or "odata.etag")).OrderBy(p => p.Key, StringComparer.Ordinal);

    /// <summary>Binary values compare by content; everything else by value (double bit for bit).</summary>
    private static object Comparable(object value) => value switch
    {
        byte[] bytes => Convert.ToHexString(bytes),
        BinaryData data => Convert.ToHexString(data.ToArray()),
        double number => BitConverter.DoubleToInt64Bits(number),
        _ => value,
    };

    private static async Task<List<string>> ReadSnapshotLinesAsync(BlobContainerClient container, string name)
    {
        await using var download = await container.GetBlobClient(name).OpenReadAsync();
        await using var gzip = new GZipStream(download, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static async Task WriteSnapshotLinesAsync(BlobContainerClient container, string name, IEnumerable<string> lines)
    {
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))));
        }

        buffer.Position = 0;
        await container.GetBlobClient(name).UploadAsync(buffer, overwrite: true);
    }

    private static async Task<(int Exit, string Output, string Error)> OperationsAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await OperationsCommand.RunAsync(args, _ => null, output, error, default);
        return (exit, output.ToString(), error.ToString());
    }
}
