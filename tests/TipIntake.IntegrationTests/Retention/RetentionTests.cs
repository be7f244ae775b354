using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Core.Retention;
using TipIntake.Core.Triage;
using TipIntake.Infrastructure.Storage;
using TipIntake.IntegrationTests.Triage;

namespace TipIntake.IntegrationTests.Retention;

/// <summary>Retention against real Azurite: the run is given a clock 400 days ahead, so what exists now is old; the timer function runs in the real worker.</summary>
public sealed class RetentionTests
{
    private static readonly TimeSpan Ahead = TimeSpan.FromDays(400);

    [Fact]
    public async Task Closed_tips_lose_their_row_and_notes_but_keep_their_audit_trail_and_old_quarantine_is_purged_with_events()
    {
        await using var host = await TriageHost.StartAsync();
        var closed = await SeedClosedAsync(host, TestTips.NewMarker());
        var open = await host.SeedAsync(TestTips.NewMarker());
        var quarantineId = await SeedQuarantineAsync(host);
        var triage = host.Host.App.GetRequiredService<ITriageStore>();
        var claimChecks = host.Host.App.GetRequiredService<IClaimCheckStore>();
        await claimChecks.PutAsync(closed, FakeJwe(closed), default);
        await claimChecks.PutAsync(quarantineId, FakeJwe(quarantineId), default);

        var report = await host.Host.App.GetRequiredService<RetentionService>().RunAsync(DateTimeOffset.UtcNow + Ahead, default);

        // Both JWEs go with their tip and their quarantine row, before the sweep: no orphan is counted.
        Assert.Equal(new RetentionReport(false, 1, 1, 1, 1, 0, 0), report);
        Assert.Null(await claimChecks.GetAsync(closed, default));
        Assert.Null(await claimChecks.GetAsync(quarantineId, default));
        Assert.Null(await triage.GetAsync(closed, default));
        Assert.NotNull(await triage.GetAsync(open, default));
        Assert.Empty(await triage.GetNotesAsync(closed, default));
        Assert.Empty(await QuarantineRowsAsync(host));
        var trail = await triage.GetEventsAsync(closed, default);
        Assert.Equal(["status-changed", "purged"], trail.Select(e => e.Action));
        Assert.Equal(("retention", null, null), (trail[^1].Actor, trail[^1].From, trail[^1].To));
        var quarantineEvent = Assert.Single(await triage.GetEventsAsync(quarantineId, default));
        Assert.Equal(("retention", "quarantine-purged", "key-unavailable", (string?)null), (quarantineEvent.Actor, quarantineEvent.Action, quarantineEvent.From, quarantineEvent.To));
        await foreach (var row in new TableServiceClient(host.Host.ConnectionString).GetTableClient(StorageNames.EventsTable)
            .QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {closed} or PartitionKey eq {quarantineId}")))
        {
            Assert.Equal(["Action", "Actor", "At", "From", "To"], row.Keys.Where(k => k is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).Order(StringComparer.Ordinal));
        }

        Assert.DoesNotContain("MARKER-", host.Host.Logs.All, StringComparison.Ordinal);

        // Nothing of the purged tip is left in the index or the related reports; the open tip still is.
        var index = await TableTextAsync(host, StorageNames.IndexTable);
        Assert.DoesNotContain(closed, index, StringComparison.Ordinal);
        Assert.DoesNotContain(closed, await TableTextAsync(host, StorageNames.RelationsTable), StringComparison.Ordinal);
        Assert.Contains(open, index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_through_the_PurgeExpired_function_reports_the_counts_and_leaves_everything()
    {
        await using var host = await TriageHost.StartAsync(new Dictionary<string, string> { ["Retention:DryRun"] = "true" });
        var closed = await SeedClosedAsync(host, TestTips.NewMarker());
        var quarantineId = await SeedQuarantineAsync(host);
        var services = host.Host.App;
        var retention = services.GetRequiredService<RetentionService>();
        var triage = services.GetRequiredService<ITriageStore>();
        var claimChecks = services.GetRequiredService<IClaimCheckStore>();
        var orphan = TipIntakeService.NewTipId();
        await claimChecks.PutAsync(orphan, FakeJwe(orphan), default);
        await claimChecks.PutAsync(quarantineId, FakeJwe(quarantineId), default);
        var before = await triage.GetEventsAsync(closed, default);

        var report = await retention.RunAsync(DateTimeOffset.UtcNow + Ahead, default);

        // The PurgeExpired function itself, in the worker, invoked by the local host's timer trigger as the schedule
        // would, with the real clock: nothing is old yet, and it must not fail.
        await host.Host.Host.Services.GetRequiredService<Microsoft.Azure.WebJobs.IJobHost>().CallAsync(
            "PurgeExpired", new Dictionary<string, object?> { ["timer"] = new Microsoft.Azure.WebJobs.TimerInfo(null, null) });

        Assert.Equal(new RetentionReport(true, 1, 0, 1, 0, 1, 0), report);
        Assert.Equal(FakeJwe(orphan), await claimChecks.GetAsync(orphan, default));
        Assert.Equal(FakeJwe(quarantineId), await claimChecks.GetAsync(quarantineId, default));
        Assert.NotNull(await triage.GetAsync(closed, default));
        Assert.Single(await triage.GetNotesAsync(closed, default));
        Assert.Single(await QuarantineRowsAsync(host));
        Assert.Equal(before.Count, (await triage.GetEventsAsync(closed, default)).Count);
        Assert.Contains("Retention dry run: 1 closed tips and 1 quarantined messages would be purged", host.Host.Logs.All, StringComparison.Ordinal);
        Assert.Contains("Retention dry run: 0 closed tips and 0 quarantined messages would be purged", host.Host.Logs.All, StringComparison.Ordinal);
        Assert.Contains("Retention dry run: 1 claim-checked JWEs left behind would be deleted (1 as old kept", host.Host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Claim_checks_left_behind_are_swept_after_the_orphan_age_unless_quarantine_holds_them_until_its_purge()
    {
        await using var host = await TestHost.StartAsync();
        var services = host.App;
        var retention = services.GetRequiredService<RetentionService>();
        var claimChecks = services.GetRequiredService<IClaimCheckStore>();
        var orphan = TipIntakeService.NewTipId();
        var held = TipIntakeService.NewTipId();
        await claimChecks.PutAsync(orphan, FakeJwe(orphan), default);
        await claimChecks.PutAsync(held, FakeJwe(held), default);
        await services.GetRequiredService<IQuarantine>().PutAsync(
            new QuarantineEntry(held, QuarantineReason.JweInvalid, "test", System.Text.Encoding.UTF8.GetBytes($"{{\"v\":1,\"tipId\":\"{held}\",\"jweRef\":\"{held}\"}}"), 1, held, null), default);
        var written = DateTimeOffset.UtcNow;

        // Default ages: orphans after 30 days, quarantine after 90.
        var early = await retention.RunAsync(written + TimeSpan.FromDays(29), default);
        var swept = await retention.RunAsync(written + TimeSpan.FromDays(31), default);
        var heldAfterSweep = await claimChecks.GetAsync(held, default);
        var quarantinePurged = await retention.RunAsync(written + TimeSpan.FromDays(91), default);

        Assert.Equal(new RetentionReport(false, 0, 0, 0, 0, 0, 0), early);
        Assert.Equal(new RetentionReport(false, 0, 0, 0, 0, 1, 1), swept);
        Assert.Equal(FakeJwe(held), heldAfterSweep);
        Assert.Equal(new RetentionReport(false, 0, 0, 1, 1, 0, 0), quarantinePurged);
        Assert.Null(await claimChecks.GetAsync(orphan, default));
        Assert.Null(await claimChecks.GetAsync(held, default));
        Assert.Empty(await QuarantineRowsAsync(host));
        Assert.Contains("Retention: 1 claim-checked JWEs left behind deleted (1 as old kept for their quarantine rows)", host.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_purged_tips_files_and_rows_go_with_it_and_an_open_tip_keeps_its_own()
    {
        await using var host = await TriageHost.StartAsync();
        var closed = await SeedClosedAsync(host, TestTips.NewMarker());
        var open = await host.SeedAsync(TestTips.NewMarker());
        var attachments = host.Host.App.GetRequiredService<ITipAttachmentStore>();
        var files = new Azure.Storage.Blobs.BlobServiceClient(host.Host.ConnectionString).GetBlobContainerClient(StorageNames.AttachmentsContainer);
        foreach (var (tipId, number) in new[] { (closed, 1), (closed, 2), (open, 1) })
        {
            await attachments.PutAsync(new TipAttachment(tipId, number, AttachmentState.Attached, new AttachmentEntry(
                "AAAAAAAAAAAAAAAAAAAAAA", new byte[32], 1, ChunkLayout.SmallChunkBytes, "kid", "ek", 5, new byte[32], "text/plain", $"note-{number}.txt", "unchecked", [])), default);
            await files.UploadBlobAsync($"{tipId}/{number}", BinaryData.FromBytes(new byte[] { 1, 2, 3 }));
        }

        var report = await host.Host.App.GetRequiredService<RetentionService>().RunAsync(DateTimeOffset.UtcNow + Ahead, default);

        Assert.Equal(1, report.ClosedTipsPurged);
        Assert.Empty(await attachments.ListAsync(closed, default));
        Assert.Single(await attachments.ListAsync(open, default));
        var left = new List<string>();
        await foreach (var blob in files.GetBlobsAsync())
        {
            left.Add(blob.Name);
        }

        Assert.Equal([$"{open}/1"], left);
        var trail = await host.Host.App.GetRequiredService<ITriageStore>().GetEventsAsync(closed, default);
        // Both retention events carry the run's time: their order within it is the ids' random tail.
        Assert.Equal(["attachments-purged", "purged", "status-changed"], trail.Select(e => e.Action).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A tip's file mismatched (its blob kept at <c>attachments/quarantine/</c>, one event in the tip's trail however
    /// often it is bound again) and a completed upload no tip took: 400 days on, the run deletes the quarantine row with
    /// its blob, and its sweep — the 15-minute timer never ran here — quarantines the upload as an orphan.
    /// </summary>
    [Fact]
    public async Task A_mismatched_files_quarantined_blob_goes_with_its_row_and_the_run_sweeps_an_upload_no_tip_took()
    {
        await using var host = await TestHost.StartAsync();
        var services = host.App;
        var binder = services.GetRequiredService<AttachmentBinder>();
        var uploads = services.GetRequiredService<IUploadStore>();
        var files = new Azure.Storage.Blobs.BlobServiceClient(host.ConnectionString).GetBlobContainerClient(StorageNames.AttachmentsContainer);
        var (mismatched, file) = await CompletedUploadAsync(services.GetRequiredService<UploadService>());
        var (orphan, _) = await CompletedUploadAsync(services.GetRequiredService<UploadService>());
        var tipId = TipIntakeService.NewTipId();
        var entry = new AttachmentEntry(mismatched.ToString(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), file.Chunks.Count, ChunkLayout.SmallChunkBytes,
            "3", "ek", 5, new byte[32], "text/plain", "note-1.txt", "unchecked", []);
        var receivedHour = new DateTimeOffset(DateTimeOffset.UtcNow.Year, DateTimeOffset.UtcNow.Month, DateTimeOffset.UtcNow.Day, DateTimeOffset.UtcNow.Hour, 0, 0, TimeSpan.Zero);

        Assert.Equal(AttachmentState.Mismatch, await binder.BindAsync(tipId, 1, entry, receivedHour, default));
        Assert.Equal(AttachmentState.Mismatch, await binder.BindAsync(tipId, 1, entry, receivedHour, default));
        var quarantinedBlob = files.GetBlobClient($"quarantine/{mismatched}");
        Assert.True(await quarantinedBlob.ExistsAsync());
        var trail = await services.GetRequiredService<ITriageStore>().GetEventsAsync(tipId, default);
        var quarantined = Assert.Single(trail);
        Assert.Equal(("processor", "attachment-quarantined", "attachment-mismatch", "1", receivedHour), (quarantined.Actor, quarantined.Action, quarantined.From, quarantined.To, quarantined.At));

        var report = await services.GetRequiredService<RetentionService>().RunAsync(DateTimeOffset.UtcNow + Ahead, default);

        Assert.Equal((1, 1), (report.QuarantineFound, report.QuarantinePurged));
        Assert.False(await quarantinedBlob.ExistsAsync());
        Assert.True(await files.GetBlobClient($"quarantine/{orphan}").ExistsAsync());
        Assert.Null(await uploads.GetAsync(orphan, default));
        var left = await QuarantineRowsAsync(host);
        Assert.Equal([("attachment-orphan", $"upload-{orphan}")], left.Select(row => (row.PartitionKey, row.RowKey)));
    }

    /// <summary>
    /// A purge that stopped after the tip's row and its <c>purged</c> event left its files (rows and blobs, or a blob
    /// alone): the next run finds them by the table's keys and the container's prefixes and deletes them; the files of
    /// a tip that is not stored but whose trail records no purge are kept.
    /// </summary>
    [Fact]
    public async Task Files_left_by_a_purge_that_stopped_half_way_are_deleted_by_the_next_run_and_others_are_kept()
    {
        await using var host = await TestHost.StartAsync();
        var services = host.App;
        var attachments = services.GetRequiredService<ITipAttachmentStore>();
        var triage = services.GetRequiredService<ITriageStore>();
        var files = new Azure.Storage.Blobs.BlobServiceClient(host.ConnectionString).GetBlobContainerClient(StorageNames.AttachmentsContainer);
        var (purged, blobOnly, unknown) = (TipIntakeService.NewTipId(), TipIntakeService.NewTipId(), TipIntakeService.NewTipId());
        var at = DateTimeOffset.UtcNow;
        foreach (var tipId in new[] { purged, blobOnly })
        {
            await triage.AddEventAsync(new TipEvent(tipId, TriageIds.NewTimeOrdered(at), at, RetentionActions.Actor, RetentionActions.Purged, null, null), default);
        }

        foreach (var (tipId, number, row) in new[] { (purged, 1, true), (purged, 2, true), (blobOnly, 1, false), (unknown, 1, true) })
        {
            if (row)
            {
                await attachments.PutAsync(new TipAttachment(tipId, number, AttachmentState.Attached, new AttachmentEntry(
                    "AAAAAAAAAAAAAAAAAAAAAA", new byte[32], 1, ChunkLayout.SmallChunkBytes, "kid", "ek", 5, new byte[32], "text/plain", $"note-{number}.txt", "unchecked", [])), default);
            }

            await files.UploadBlobAsync($"{tipId}/{number}", BinaryData.FromBytes(new byte[] { 1, 2, 3 }));
        }

        await files.UploadBlobAsync("quarantine/AAAAAAAAAAAAAAAAAAAAAA", BinaryData.FromBytes(new byte[] { 4 }));

        // A dry run first: the same reads, counted, nothing deleted.
        var dryRun = new RetentionService(
            services.GetRequiredService<IRetentionStore>(), services.GetRequiredService<IClaimCheckStore>(), services.GetRequiredService<ReceiptIssuer>(),
            Microsoft.Extensions.Options.Options.Create(new RetentionOptions { DryRun = true }),
            services.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RetentionService>>(), services.GetRequiredService<AttachmentRetention>());
        Assert.Equal(new LeftOverFiles(2, 0, 1), (await dryRun.RunAsync(at + TimeSpan.FromDays(1), default)).LeftOverFiles);
        Assert.Equal(2, (await attachments.ListAsync(purged, default)).Count);
        Assert.Equal(5, await files.GetBlobsAsync().CountAsync());
        Assert.Contains("files left behind by an earlier purge would be deleted for 2 tips (1 tips with files are not stored", host.Logs.All, StringComparison.Ordinal);

        var report = await services.GetRequiredService<RetentionService>().RunAsync(at + TimeSpan.FromDays(1), default);

        Assert.Equal(new LeftOverFiles(2, 2, 1), report.LeftOverFiles);
        Assert.Empty(await attachments.ListAsync(purged, default));
        Assert.Single(await attachments.ListAsync(unknown, default));
        var left = new List<string>();
        await foreach (var blob in files.GetBlobsAsync())
        {
            left.Add(blob.Name);
        }

        Assert.Equal(new[] { "quarantine/AAAAAAAAAAAAAAAAAAAAAA", $"{unknown}/1" }.Order(StringComparer.Ordinal), left.Order(StringComparer.Ordinal));
        Assert.Equal(["attachments-purged", "purged"], (await triage.GetEventsAsync(purged, default)).Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.Equal(["purged"], (await triage.GetEventsAsync(blobOnly, default)).Select(e => e.Action));
        Assert.Empty(await triage.GetEventsAsync(unknown, default));
        Assert.Contains("files left behind by an earlier purge deleted for 2 tips; 1 tips with files are not stored", host.Logs.All, StringComparison.Ordinal);
    }

    private static async Task<(UploadId Upload, EncryptedFile File)> CompletedUploadAsync(UploadService uploads)
    {
        var upload = UploadId.TryParse(Core.Jwe.JoseBase64.Encode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)), out var id) ? id : throw new InvalidOperationException();
        var file = AttachmentEncryptor.Encrypt(System.Security.Cryptography.RandomNumberGenerator.GetBytes(100), upload.ToString(), ChunkLayout.SmallChunkBytes,
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        Assert.Equal(CreateOutcome.Created, await uploads.CreateAsync(upload, file.Chunks.Count, ChunkLayout.SmallChunkBytes, default));
        var record = (await uploads.FindAsync(upload, default))!;
        for (var index = 0; index < file.Chunks.Count; index++)
        {
            Assert.Equal(ChunkOutcome.Staged, await uploads.StageAsync(upload, record, index, file.Chunks[index], file.ChunkDigests[index], default));
        }

        Assert.IsType<CompleteOutcome.Completed>(await uploads.CompleteAsync(upload, file.ChunkDigests, default));
        return (upload, file);
    }

    private static async Task<string> SeedClosedAsync(TriageHost host, string marker)
    {
        var id = await host.SeedAsync(marker);
        var triage = host.Host.App.GetRequiredService<ITriageStore>();
        var tip = (await triage.GetAsync(id, default))!;
        var at = DateTimeOffset.UtcNow;
        await triage.AddNoteAsync(id, new TipNote(TriageIds.NewTimeOrdered(at), "oid-editor", "Editor", "note " + marker, at), default);
        var closing = new TipEvent(id, TriageIds.NewTimeOrdered(at), at, "oid-editor", Codes.Of(TipEventAction.StatusChanged), "escalated", "closed");
        var write = await triage.UpdateAsync(new TipUpdate(id, tip.Summary.Queue, tip.StorageETag, tip.Version + 1, TriageStatuses.Closed, null, [], at, new PendingAudit(closing, null), tip.Summary), default);
        Assert.IsType<StoreWrite.Written>(write);
        await triage.AddEventAsync(closing, default);
        return id;
    }

    private static async Task<string> SeedQuarantineAsync(TriageHost host)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        await host.Host.App.GetRequiredService<IQuarantine>().PutAsync(
            new QuarantineEntry(id, QuarantineReason.KeyUnavailable, "test", new byte[] { 1, 2, 3 }, 1, id, "kid"), default);
        return id;
    }

    /// <summary>Not a real JWE: retention never reads one, and the store keeps whatever it is given.</summary>
    private static string FakeJwe(string name) => $"eyJhbGciOiJSU0EtT0FFUC0yNTYifQ.{name}.iv.ciphertext.tag";

    /// <summary>Every key and value of a table's rows as text (binary columns as UTF-8).</summary>
    private static async Task<string> TableTextAsync(TriageHost host, string table)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var row in new TableServiceClient(host.Host.ConnectionString).GetTableClient(table).QueryAsync<TableEntity>())
        {
            foreach (var (key, value) in row)
            {
                text.Append(key).Append('=').Append(value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return text.ToString();
    }

    private static Task<List<TableEntity>> QuarantineRowsAsync(TriageHost host) => QuarantineRowsAsync(host.Host);

    private static async Task<List<TableEntity>> QuarantineRowsAsync(TestHost host)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in host.Quarantine.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }
}
