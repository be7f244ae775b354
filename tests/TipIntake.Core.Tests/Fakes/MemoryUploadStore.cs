using System.Collections.Concurrent;
using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;

namespace TipIntake.Core.Tests.Fakes;

/// <summary>Rows and block blobs in memory, with the semantics of Put Block and Put Block List.</summary>
internal sealed class MemoryUploadStore : IUploadStore
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte[]>> _staged = new();
    private readonly ConcurrentDictionary<string, List<(string Id, byte[] Bytes)>> _committed = new();

    public ConcurrentDictionary<string, UploadRecord> Rows { get; } = new();

    public Action? BeforeCreate { get; set; }

    public bool FailMarkComplete { get; set; }

    public IReadOnlyCollection<string> Blocks(UploadId upload) => _staged.TryGetValue(upload.ToString(), out var blocks) ? [.. blocks.Keys] : [];

    public byte[]? Committed(UploadId upload) => _committed.TryGetValue(upload.ToString(), out var blocks) ? [.. blocks.SelectMany(b => b.Bytes)] : null;

    public Task<UploadRecord?> GetAsync(UploadId upload, CancellationToken cancellationToken) =>
        Task.FromResult(Rows.TryGetValue(upload.ToString(), out var row) ? row : null);

    public Task<bool> TryCreateAsync(UploadId upload, UploadRecord record, CancellationToken cancellationToken)
    {
        BeforeCreate?.Invoke();
        return Task.FromResult(Rows.TryAdd(upload.ToString(), record));
    }

    public Task StageAsync(UploadId upload, string blockId, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        _staged.GetOrAdd(upload.ToString(), _ => new())[blockId] = chunk.ToArray();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListBlocksAsync(UploadId upload, CancellationToken cancellationToken)
    {
        IEnumerable<string> staged = _staged.TryGetValue(upload.ToString(), out var blocks) ? blocks.Keys : [];
        IEnumerable<string> committed = _committed.TryGetValue(upload.ToString(), out var list) ? list.Select(b => b.Id) : [];
        return Task.FromResult<IReadOnlyList<string>>([.. committed.Concat(staged)]);
    }

    public Task CommitAsync(UploadId upload, IReadOnlyList<string> blockIds, CancellationToken cancellationToken)
    {
        // Put Block List takes each id from the uncommitted blocks first, then the committed ones; the rest are dropped.
        var staged = _staged.TryGetValue(upload.ToString(), out var blocks) ? blocks : new();
        var before = _committed.TryGetValue(upload.ToString(), out var list) ? list.ToDictionary(b => b.Id, b => b.Bytes) : [];
        _committed[upload.ToString()] = [.. blockIds.Select(id => (id, staged.TryGetValue(id, out var bytes) ? bytes : before[id]))];
        staged.Clear();
        return Task.CompletedTask;
    }

    public Task MarkCompleteAsync(UploadId upload, UploadRecord completed, CancellationToken cancellationToken)
    {
        if (FailMarkComplete)
        {
            throw new StorageUnavailableException("Simulated.", new IOException());
        }

        Rows[upload.ToString()] = completed;
        return Task.CompletedTask;
    }

    public Task ClaimAsync(UploadId upload, string tipId, int number, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The upload routes never claim an upload.");

    public Task DeleteAsync(UploadId upload, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The upload routes never delete an upload.");

    public IAsyncEnumerable<UploadListing> ListCreatedByAsync(DateOnly day, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The upload routes never list uploads.");
}
