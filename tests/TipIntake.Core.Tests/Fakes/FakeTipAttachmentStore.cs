using TipIntake.Core.Attachments;

namespace TipIntake.Core.Tests.Fakes;

/// <summary>
/// Table <c>Attachments</c> and container <c>attachments</c> in memory, counting every read (a row or a blob), so that
/// a test can tell whether anything of a file was read.
/// </summary>
internal sealed class FakeTipAttachmentStore : ITipAttachmentStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string TipId, int Number), TipAttachment> _rows = [];
    private readonly Dictionary<(string TipId, int Number), byte[]> _blobs = [];

    /// <summary>Runs before each read of a row or a blob: what a test checks at that moment.</summary>
    public Action? BeforeRead { get; set; }

    /// <summary>When set, the ciphertext stream throws this after its first chunk (storage failing mid-download).</summary>
    public Exception? FailAfterFirstChunk { get; set; }

    public int Reads { get; private set; }

    public void PutBlob(string tipId, int number, byte[] ciphertext)
    {
        lock (_gate)
        {
            _blobs[(tipId, number)] = ciphertext;
        }
    }

    public Task PutAsync(TipAttachment attachment, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _rows[(attachment.TipId, attachment.Number)] = attachment;
        }

        return Task.CompletedTask;
    }

    public Task<TipAttachment?> GetAsync(string tipId, int number, CancellationToken cancellationToken)
    {
        Read();
        lock (_gate)
        {
            return Task.FromResult(_rows.GetValueOrDefault((tipId, number)));
        }
    }

    public Task<IReadOnlyList<TipAttachment>> ListAsync(string tipId, CancellationToken cancellationToken)
    {
        Read();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<TipAttachment>>([.. _rows.Values.Where(a => a.TipId == tipId).OrderBy(a => a.Number)]);
        }
    }

    public Task<Stream?> OpenCiphertextAsync(string tipId, int number, int chunkBytes, CancellationToken cancellationToken)
    {
        Read();
        lock (_gate)
        {
            return Task.FromResult<Stream?>(_blobs.TryGetValue((tipId, number), out var blob)
                ? FailAfterFirstChunk is { } failure ? new FailingStream(blob[..chunkBytes], failure) : new MemoryStream(blob, writable: false)
                : null);
        }
    }

    public Task<bool> TryAddAsync(TipAttachment attachment, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_rows.TryAdd((attachment.TipId, attachment.Number), attachment));
        }
    }

    public IAsyncEnumerable<(TipAttachment Attachment, DateTimeOffset WrittenAt)> ListAwaitedAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("Downloads never list awaited files.");

    public Task<IReadOnlySet<string>> ListTipIdsAsync(CancellationToken cancellationToken) =>
        throw new NotSupportedException("Downloads never list tips.");

    public Task<int> DeleteAllAsync(string tipId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Downloads never delete files.");

    private void Read()
    {
        BeforeRead?.Invoke();
        Reads++;
    }

    /// <summary>Gives its bytes, then throws instead of ending.</summary>
    private sealed class FailingStream(byte[] first, Exception failure) : MemoryStream(first, writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position < Length ? base.ReadAsync(buffer, cancellationToken) : throw failure;
    }
}
