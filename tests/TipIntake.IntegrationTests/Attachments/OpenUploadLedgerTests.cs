using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Infrastructure.Attachments;
using TipIntake.Infrastructure.Storage;

namespace TipIntake.IntegrationTests.Attachments;

/// <summary>
/// <see cref="TableOpenUploadLedger"/> and the slot an <see cref="AzureUploadStore"/> row holds, on Azurite
/// (docs/attachments.md, "Open uploads"): instances taking at once never hold more than the limit, deleting a row gives
/// its slot back once, counters of days before the window are dropped, and the sweep's listing never sees a counter.
/// </summary>
public sealed class OpenUploadLedgerTests : IAsyncLifetime
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;

    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private TableServiceClient _tables = null!;
    private AzureUploadStore _store = null!;

    public async Task InitializeAsync()
    {
        var connection = await SharedAzurite.NewAccountAsync();
        _tables = new TableServiceClient(connection);
        await _tables.CreateTableIfNotExistsAsync(StorageNames.UploadsTable);
        _store = new AzureUploadStore(_tables, new BlobServiceClient(connection), TimeProvider.System);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Instances_taking_at_once_never_hold_more_than_the_limit()
    {
        var instances = Enumerable.Range(0, 4).Select(_ => new TableOpenUploadLedger(_tables)).ToArray();

        var taken = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => instances[i % 4].TryTakeAsync(Today, Today.AddDays(-7), 5, default)));

        Assert.Equal(5, taken.Count(t => t));
        Assert.Equal(5, await OpenOnAsync(Today));
    }

    [Fact]
    public async Task Deleting_an_upload_gives_its_slot_back_once_and_a_row_without_a_slot_gives_nothing()
    {
        var service = new UploadService(_store, new TableOpenUploadLedger(_tables), Options.Create(new AttachmentOptions { MaxOpenUploads = 2 }),
            TimeProvider.System, NullLogger<UploadService>.Instance);
        var (first, second) = (NewUpload(), NewUpload());
        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(first, 1, ChunkBytes, default));
        Assert.Equal(CreateOutcome.Created, await service.CreateAsync(second, 1, ChunkBytes, default));
        Assert.Equal(Today, (await _store.GetAsync(first, default))!.Slot);
        Assert.Equal(2, await OpenOnAsync(Today));

        // The no-script path's rows hold no slot: its own lane bounds them.
        var form = NewUpload();
        Assert.True(await _store.TryCreateAsync(form, new UploadRecord(1, ChunkBytes), default));
        await _store.DeleteAsync(form, default);
        Assert.Equal(2, await OpenOnAsync(Today));

        // A claim merged in between (the row's ETag changes) does not stop the delete or its give-back; a repeat gives nothing.
        await _store.ClaimAsync(first, "tip", 1, default);
        await _store.DeleteAsync(first, default);
        await _store.DeleteAsync(first, default);
        Assert.Equal(1, await OpenOnAsync(Today));
        Assert.Null(await _store.GetAsync(first, default));
    }

    [Fact]
    public async Task Counters_of_days_before_the_window_stop_counting_and_are_deleted()
    {
        var ledger = new TableOpenUploadLedger(_tables);
        var longAgo = Today.AddDays(-10);
        Assert.True(await ledger.TryTakeAsync(longAgo, longAgo.AddDays(-7), 1, default));
        Assert.False(await ledger.TryTakeAsync(longAgo, longAgo.AddDays(-7), 1, default));

        // A slot whose give-back was lost holds only while its day is in the window.
        Assert.True(await ledger.TryTakeAsync(Today, Today.AddDays(-7), 1, default));
        Assert.Null(await OpenOnAsync(longAgo));

        await ledger.ReleaseAsync(longAgo, default);
        Assert.Null(await OpenOnAsync(longAgo));
        Assert.Equal(1, await OpenOnAsync(Today));
    }

    [Fact]
    public async Task The_sweeps_listing_sees_uploads_never_the_counters_beside_them()
    {
        var upload = NewUpload();
        Assert.True(await _store.TryCreateAsync(upload, new UploadRecord(1, ChunkBytes, Slot: Today), default));
        Assert.True(await new TableOpenUploadLedger(_tables).TryTakeAsync(Today, Today.AddDays(-7), 10, default));

        var listed = new List<UploadListing>();
        await foreach (var listing in _store.ListCreatedByAsync(Today.AddDays(1), default))
        {
            listed.Add(listing);
        }

        Assert.Equal([upload], listed.Select(l => l.Upload));
    }

    private async Task<int?> OpenOnAsync(DateOnly day)
    {
        var row = await _tables.GetTableClient(StorageNames.UploadsTable)
            .GetEntityIfExistsAsync<TableEntity>(TableOpenUploadLedger.Partition, TableOpenUploadLedger.KeyOf(day));
        return row.HasValue ? row.Value!.GetInt32("Open") : null;
    }

    private static UploadId NewUpload()
    {
        Assert.True(UploadId.TryParse(SubmissionId.New().ToString(), out var upload));
        return upload;
    }
}
