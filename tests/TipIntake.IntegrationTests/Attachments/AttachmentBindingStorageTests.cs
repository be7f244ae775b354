using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Processing;
using TipIntake.Infrastructure.Attachments;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>
/// Binding on Azurite (docs/attachments.md, "Processing: binding, quarantine"): <see cref="AttachmentBinder"/> over
/// <see cref="AzureUploadStore"/>, <see cref="AzureAttachmentBlobs"/>, <see cref="AzureTipAttachmentStore"/> and the
/// quarantine table — a completed upload copied to its tip's place byte for byte, one completed otherwise moved to
/// <c>attachments/quarantine/</c>, a claim merged beside a completion, and each step repeated after it took effect.
/// </summary>
public sealed class AttachmentBindingStorageTests : IAsyncLifetime
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;

    private TableServiceClient _tables = null!;
    private BlobServiceClient _blobs = null!;
    private AzureUploadStore _uploads = null!;
    private AzureAttachmentBlobs _files = null!;
    private AzureTipAttachmentStore _attachments = null!;
    private UploadService _service = null!;
    private AttachmentBinder _binder = null!;
    private Infrastructure.Triage.TableTriageStore _trail = null!;

    public async Task InitializeAsync()
    {
        var connection = await SharedAzurite.NewAccountAsync();
        _tables = new TableServiceClient(connection);
        _blobs = new BlobServiceClient(connection);
        foreach (var table in new[] { StorageNames.UploadsTable, StorageNames.AttachmentsTable, StorageNames.QuarantineTable, StorageNames.EventsTable })
        {
            await _tables.CreateTableIfNotExistsAsync(table);
        }

        await _blobs.GetBlobContainerClient(StorageNames.AttachmentsStagingContainer).CreateIfNotExistsAsync();
        await _blobs.GetBlobContainerClient(StorageNames.AttachmentsContainer).CreateIfNotExistsAsync();
        _uploads = new AzureUploadStore(_tables, _blobs, TimeProvider.System);
        _files = new AzureAttachmentBlobs(_blobs);
        _attachments = new AzureTipAttachmentStore(_tables, _blobs);
        _service = new UploadService(_uploads, new TableOpenUploadLedger(_tables), Options.Create(new AttachmentOptions()), TimeProvider.System, NullLogger<UploadService>.Instance);
        _trail = new Infrastructure.Triage.TableTriageStore(_tables, new Infrastructure.Triage.Index.TableTipLocator(_tables));
        _binder = new AttachmentBinder(_uploads, _files, _attachments, new TableQuarantine(_tables), _trail, Options.Create(new AttachmentOptions()),
            NullLogger<AttachmentBinder>.Instance);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_completed_upload_is_copied_to_its_tip_byte_for_byte_and_its_staged_blob_and_row_deleted()
    {
        var (upload, file) = await UploadAsync();
        var tipId = TipIntakeService.NewTipId();
        var entry = EntryFor(upload, file);

        Assert.Equal(AttachmentState.Attached, await _binder.BindAsync(tipId, 1, entry, DateTimeOffset.UtcNow, default));

        Assert.Equal(file.Chunks.SelectMany(c => c).ToArray(), await DownloadAsync(StorageNames.AttachmentsContainer, $"{tipId}/1"));
        Assert.False(await Blob(StorageNames.AttachmentsStagingContainer, upload.ToString()).ExistsAsync());
        Assert.Null(await _uploads.GetAsync(upload, default));
        var row = (await _attachments.GetAsync(tipId, 1, default))!;
        Assert.Equal((AttachmentState.Attached, entry.Upload), (row.State, row.Entry.Upload));
        Assert.Equal(file.Digest, row.Entry.Digest);

        // Every step again, as a redelivery makes them: the copy finds its source gone and its target there.
        Assert.True(await _files.CopyToTipAsync(upload, tipId, 1, default));
        await _files.DeleteStagedAsync(upload, default);
        await _uploads.DeleteAsync(upload, default);
        Assert.Equal(AttachmentState.Attached, await _binder.BindAsync(tipId, 1, entry, DateTimeOffset.UtcNow, default));
    }

    [Fact]
    public async Task A_copy_with_neither_the_staged_blob_nor_the_target_says_so()
    {
        Assert.False(await _files.CopyToTipAsync(NewUpload(), TipIntakeService.NewTipId(), 1, default));
        Assert.False(await _files.CopyToQuarantineAsync(NewUpload(), default));
    }

    [Fact]
    public async Task An_upload_completed_with_another_digest_is_moved_to_the_quarantine_and_kept_with_the_entry()
    {
        var (upload, file) = await UploadAsync();
        var tipId = TipIntakeService.NewTipId();
        var entry = EntryFor(upload, file) with { Digest = RandomNumberGenerator.GetBytes(32) };

        Assert.Equal(AttachmentState.Mismatch, await _binder.BindAsync(tipId, 1, entry, DateTimeOffset.UtcNow, default));

        Assert.Equal(file.Chunks.SelectMany(c => c).ToArray(), await DownloadAsync(StorageNames.AttachmentsContainer, $"quarantine/{upload}"));
        Assert.False(await Blob(StorageNames.AttachmentsContainer, $"{tipId}/1").ExistsAsync());
        Assert.False(await Blob(StorageNames.AttachmentsStagingContainer, upload.ToString()).ExistsAsync());
        Assert.Null(await _uploads.GetAsync(upload, default));
        var quarantined = (await _tables.GetTableClient(StorageNames.QuarantineTable).GetEntityAsync<TableEntity>("attachment-mismatch", $"{tipId}-01")).Value;
        Assert.Equal((tipId, entry.KeyId), (quarantined.GetString("TipId"), quarantined.GetString("KeyId")));
        Assert.Equal(AttachmentEntryJson.Write(entry), quarantined.GetBinary("Message"));
    }

    /// <summary>
    /// The quarantine's event has an id without a time (one per file and reason, whichever binding wrote it first), so
    /// Table Storage keeps it after every time-ordered event of the tip; the trail read back still puts it at its hour.
    /// </summary>
    [Fact]
    public async Task A_mismatch_quarantined_twice_hours_apart_is_one_event_read_back_at_its_hour_in_the_trail()
    {
        var (upload, file) = await UploadAsync();
        var tipId = TipIntakeService.NewTipId();
        var entry = EntryFor(upload, file) with { Digest = RandomNumberGenerator.GetBytes(32) };
        var hour = new DateTimeOffset(2026, 12, 19, 22, 0, 0, TimeSpan.Zero);
        var before = new Core.Triage.TipEvent(tipId, Core.Triage.TriageIds.NewTimeOrdered(hour.AddMinutes(-1)), hour.AddMinutes(-1), "staff-1", "viewed", null, null);
        var after = before with { Id = Core.Triage.TriageIds.NewTimeOrdered(hour.AddMinutes(10)), At = hour.AddMinutes(10) };
        await _trail.AddEventAsync(after, default);
        await _trail.AddEventAsync(before, default);

        Assert.Equal(AttachmentState.Mismatch, await _binder.BindAsync(tipId, 1, entry, hour.AddMinutes(59), default));
        // What the sweep writes when it quarantines the same file, dating it by its awaited row an hour later.
        await _trail.AddEventAsync(AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMismatch, hour.AddHours(1)), default);

        var trail = await _trail.GetEventsAsync(tipId, default);
        Assert.Equal([before.Id, AttachmentBinder.QuarantinedEvent(tipId, 1, QuarantineReason.AttachmentMismatch, hour).Id, after.Id], trail.Select(e => e.Id));
        Assert.Equal(("attachment-quarantined", "attachment-mismatch", "1", hour), (trail[1].Action, trail[1].From, trail[1].To, trail[1].At));
    }

    [Fact]
    public async Task A_claim_is_merged_beside_a_completion_and_never_creates_a_row()
    {
        var (upload, file) = await UploadAsync(complete: false);
        var tipId = TipIntakeService.NewTipId();
        var entry = EntryFor(upload, file);

        Assert.Equal(AttachmentState.Awaited, await _binder.BindAsync(tipId, 2, entry, DateTimeOffset.UtcNow, default));
        Assert.IsType<CompleteOutcome.Completed>(await _service.CompleteAsync(upload, file.ChunkDigests, default));

        var row = (await _tables.GetTableClient(StorageNames.UploadsTable).GetEntityAsync<TableEntity>(upload.ToString(), AzureUploadStore.RowKey)).Value;
        Assert.Equal(($"{tipId}/02", "complete"), (row.GetString("ClaimedBy"), row.GetString("State")));
        Assert.Equal(AttachmentState.Attached, await _binder.BindAsync(tipId, 2, entry, DateTimeOffset.UtcNow, default));

        var never = NewUpload();
        await _uploads.ClaimAsync(never, tipId, 3, default);
        await _uploads.DeleteAsync(never, default);
        Assert.Null(await _uploads.GetAsync(never, default));
    }

    [Fact]
    public async Task An_awaited_row_never_replaces_an_attached_one()
    {
        var (upload, file) = await UploadAsync();
        var tipId = TipIntakeService.NewTipId();
        var entry = EntryFor(upload, file);
        Assert.Equal(AttachmentState.Attached, await _binder.BindAsync(tipId, 1, entry, DateTimeOffset.UtcNow, default));

        Assert.False(await _attachments.TryAddAsync(new TipAttachment(tipId, 1, AttachmentState.Awaited, entry), default));
        Assert.Equal(AttachmentState.Attached, (await _attachments.GetAsync(tipId, 1, default))!.State);
    }

    [Fact]
    public async Task The_sweep_attaches_what_was_completed_since_and_quarantines_old_uploads_no_tip_took_by_their_day()
    {
        // Two uploads made 8 days ago (the row keeps that day), one completed, one not; one made today, awaited by a tip.
        var eightDaysAgo = new ShiftedTime(TimeSpan.FromDays(-8));
        var past = new AzureUploadStore(_tables, _blobs, eightDaysAgo);
        var pastService = new UploadService(past, new TableOpenUploadLedger(_tables), Options.Create(new AttachmentOptions()), eightDaysAgo, NullLogger<UploadService>.Instance);
        var (orphan, _) = await UploadAsync(service: pastService);
        var (abandoned, _) = await UploadAsync(complete: false, service: pastService);
        var (awaited, file) = await UploadAsync(complete: false);
        var tipId = TipIntakeService.NewTipId();
        var entry = EntryFor(awaited, file);
        Assert.Equal(AttachmentState.Awaited, await _binder.BindAsync(tipId, 1, entry, DateTimeOffset.UtcNow, default));
        Assert.IsType<CompleteOutcome.Completed>(await _service.CompleteAsync(awaited, file.ChunkDigests, default));
        var options = Options.Create(new AttachmentOptions());
        var sweep = new AttachmentSweep(_binder, _uploads, _files, _attachments, new TableQuarantine(_tables), options, NullLogger<AttachmentSweep>.Instance);

        var report = await sweep.RunAsync(DateTimeOffset.UtcNow, default);

        Assert.Equal(new AttachmentSweepReport(1, 0, 1, 1), report);
        Assert.Equal(AttachmentState.Attached, (await _attachments.GetAsync(tipId, 1, default))!.State);
        Assert.Equal(file.Chunks.SelectMany(c => c).ToArray(), await DownloadAsync(StorageNames.AttachmentsContainer, $"{tipId}/1"));
        Assert.True(await Blob(StorageNames.AttachmentsContainer, $"quarantine/{orphan}").ExistsAsync());
        Assert.False(await Blob(StorageNames.AttachmentsStagingContainer, orphan.ToString()).ExistsAsync());
        var quarantine = _tables.GetTableClient(StorageNames.QuarantineTable);
        Assert.True((await quarantine.GetEntityIfExistsAsync<TableEntity>("attachment-orphan", $"upload-{orphan}")).HasValue);
        Assert.True((await quarantine.GetEntityIfExistsAsync<TableEntity>("upload-abandoned", $"upload-{abandoned}")).HasValue);
        foreach (var upload in new[] { orphan, abandoned, awaited })
        {
            Assert.Null(await _uploads.GetAsync(upload, default));
        }

        Assert.Equal(new AttachmentSweepReport(0, 0, 0, 0), await sweep.RunAsync(DateTimeOffset.UtcNow, default));

        // Binding and the sweep gave back every slot they freed (docs/attachments.md, "Open uploads").
        var counters = await _tables.GetTableClient(StorageNames.UploadsTable)
            .QueryAsync<TableEntity>(e => e.PartitionKey == TableOpenUploadLedger.Partition).Select(c => c.GetInt32("Open")).ToListAsync();
        Assert.NotEmpty(counters);
        Assert.All(counters, open => Assert.Equal(0, open));
    }

    private async Task<(UploadId Upload, EncryptedFile File)> UploadAsync(bool complete = true, UploadService? service = null)
    {
        var uploads = service ?? _service;
        var upload = NewUpload();
        var file = AttachmentEncryptor.Encrypt(RandomNumberGenerator.GetBytes(ChunkLayout.SmallPlaintextBytes + 1), upload.ToString(), ChunkBytes, RandomNumberGenerator.GetBytes(32));
        Assert.Equal(CreateOutcome.Created, await uploads.CreateAsync(upload, file.Chunks.Count, ChunkBytes, default));
        var record = (await uploads.FindAsync(upload, default))!;
        for (var index = 0; index < file.Chunks.Count; index++)
        {
            Assert.Equal(ChunkOutcome.Staged, await uploads.StageAsync(upload, record, index, file.Chunks[index], file.ChunkDigests[index], default));
        }

        if (complete)
        {
            Assert.IsType<CompleteOutcome.Completed>(await uploads.CompleteAsync(upload, file.ChunkDigests, default));
        }

        return (upload, file);
    }

    private static AttachmentEntry EntryFor(UploadId upload, EncryptedFile file) => new(
        upload.ToString(), file.Digest, file.Chunks.Count, ChunkBytes, "3", JoseBase64.Encode(RandomNumberGenerator.GetBytes(384)),
        ChunkLayout.SmallPlaintextBytes + 1, RandomNumberGenerator.GetBytes(32), "application/pdf", "document-1.pdf", "unchecked", []);

    private BlobClient Blob(string container, string name) => _blobs.GetBlobContainerClient(container).GetBlobClient(name);

    private async Task<byte[]> DownloadAsync(string container, string name) =>
        (await Blob(container, name).DownloadContentAsync()).Value.Content.ToArray();

    /// <summary>The clock moved by a fixed amount: rows made through it carry another day.</summary>
    private sealed class ShiftedTime(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + shift;
    }

    private static UploadId NewUpload()
    {
        Assert.True(UploadId.TryParse(SubmissionId.New().ToString(), out var upload));
        return upload;
    }
}
