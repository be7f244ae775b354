using System.Security.Cryptography;
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
/// <see cref="AzureUploadStore"/> on Azurite, under <see cref="UploadService"/>: Put Block with the protocol's block ids,
/// the block list as the record of what arrived, and Put Block List taking blocks already committed — what a completion
/// resent after a crash between the commit and the row's update meets.
/// </summary>
public sealed class AzureUploadStoreTests : IAsyncLifetime
{
    private const int ChunkBytes = ChunkLayout.SmallChunkBytes;

    private BlobServiceClient _blobs = null!;
    private FailingStore _store = null!;
    private UploadService _service = null!;

    public async Task InitializeAsync()
    {
        var connection = await SharedAzurite.NewAccountAsync();
        var tables = new TableServiceClient(connection);
        _blobs = new BlobServiceClient(connection);
        await tables.CreateTableIfNotExistsAsync(StorageNames.UploadsTable);
        await _blobs.GetBlobContainerClient(StorageNames.AttachmentsStagingContainer).CreateIfNotExistsAsync();
        _store = new FailingStore(new AzureUploadStore(tables, _blobs, TimeProvider.System));
        _service = new UploadService(_store, new TableOpenUploadLedger(tables), Options.Create(new AttachmentOptions()), TimeProvider.System, NullLogger<UploadService>.Instance);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_completion_resent_after_the_commit_but_before_the_row_finishes_with_the_same_blob_and_D()
    {
        var upload = NewUpload();
        var file = AttachmentEncryptor.Encrypt(RandomNumberGenerator.GetBytes(ChunkLayout.SmallPlaintextBytes + 1), upload.ToString(), ChunkBytes, RandomNumberGenerator.GetBytes(32));
        Assert.Equal(CreateOutcome.Created, await _service.CreateAsync(upload, 2, ChunkBytes, default));
        Assert.Equal(CreateOutcome.Repeated, await _service.CreateAsync(upload, 2, ChunkBytes, default));
        var record = (await _service.FindAsync(upload, default))!;
        foreach (var index in new[] { 1, 0, 1 })
        {
            Assert.Equal(ChunkOutcome.Staged, await _service.StageAsync(upload, record, index, file.Chunks[index], file.ChunkDigests[index], default));
        }

        var other = RandomNumberGenerator.GetBytes(ChunkBytes);
        Assert.Equal(ChunkOutcome.Staged, await _service.StageAsync(upload, record, 0, other, SHA256.HashData(other), default));
        var progress = (await _service.ProgressAsync(upload, default))!;
        Assert.Equal([0, 0, 1], progress.Received.Select(c => c.Index));

        _store.FailMarkComplete = true;
        await Assert.ThrowsAsync<StorageUnavailableException>(() => _service.CompleteAsync(upload, file.ChunkDigests, default));
        _store.FailMarkComplete = false;

        var completed = Assert.IsType<CompleteOutcome.Completed>(await _service.CompleteAsync(upload, file.ChunkDigests, default));
        Assert.Equal(file.Digest, completed.Digest);
        var blob = _blobs.GetBlobContainerClient(StorageNames.AttachmentsStagingContainer).GetBlobClient(upload.ToString());
        Assert.Equal(file.Chunks.SelectMany(c => c).ToArray(), (await blob.DownloadContentAsync()).Value.Content.ToArray());

        var stored = (await _service.FindAsync(upload, default))!;
        Assert.True(stored.Complete);
        Assert.Equal(file.Digest, stored.Digest);
        Assert.Equal(file.ChunkDigests, stored.ChunkDigests!);
        Assert.IsType<CompleteOutcome.Completed>(await _service.CompleteAsync(upload, file.ChunkDigests, default));
    }

    [Fact]
    public async Task An_upload_never_sent_a_chunk_has_no_blob_and_lists_nothing()
    {
        var upload = NewUpload();
        await _service.CreateAsync(upload, 1, ChunkBytes, default);

        Assert.Empty((await _service.ProgressAsync(upload, default))!.Received);
        Assert.Equal([0], Assert.IsType<CompleteOutcome.Incomplete>(await _service.CompleteAsync(upload, [new byte[32]], default)).Missing);
    }

    private static UploadId NewUpload()
    {
        Assert.True(UploadId.TryParse(SubmissionId.New().ToString(), out var upload));
        return upload;
    }

    /// <summary>The real store, except that marking an upload complete can fail as if the process died there.</summary>
    private sealed class FailingStore(IUploadStore inner) : IUploadStore
    {
        public bool FailMarkComplete { get; set; }

        public Task<UploadRecord?> GetAsync(UploadId upload, CancellationToken cancellationToken) => inner.GetAsync(upload, cancellationToken);

        public Task<bool> TryCreateAsync(UploadId upload, UploadRecord record, CancellationToken cancellationToken) => inner.TryCreateAsync(upload, record, cancellationToken);

        public Task StageAsync(UploadId upload, string blockId, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) => inner.StageAsync(upload, blockId, chunk, cancellationToken);

        public Task<IReadOnlyList<string>> ListBlocksAsync(UploadId upload, CancellationToken cancellationToken) => inner.ListBlocksAsync(upload, cancellationToken);

        public Task CommitAsync(UploadId upload, IReadOnlyList<string> blockIds, CancellationToken cancellationToken) => inner.CommitAsync(upload, blockIds, cancellationToken);

        public Task MarkCompleteAsync(UploadId upload, UploadRecord completed, CancellationToken cancellationToken) =>
            FailMarkComplete ? throw new StorageUnavailableException("Simulated crash.") : inner.MarkCompleteAsync(upload, completed, cancellationToken);

        public Task ClaimAsync(UploadId upload, string tipId, int number, CancellationToken cancellationToken) => inner.ClaimAsync(upload, tipId, number, cancellationToken);

        public Task DeleteAsync(UploadId upload, CancellationToken cancellationToken) => inner.DeleteAsync(upload, cancellationToken);

        public IAsyncEnumerable<UploadListing> ListCreatedByAsync(DateOnly day, CancellationToken cancellationToken) => inner.ListCreatedByAsync(day, cancellationToken);
    }
}
