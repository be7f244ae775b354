using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Attachments;

/// <summary>
/// The byte budget of chunk uploads shared by every instance (<c>Attachments:MaxBytesPerSecond</c>): tokens of 64 KiB
/// in a <see cref="SharedTokenBucket"/>, a chunk taking as many as it is long, the bucket holding two seconds' worth
/// and at least one large chunk. A flood of stamped chunks can then cost storage only at this rate. Beside it, the
/// bucket of asks of what arrived (<c>Attachments:MaxStatusReadsPerSecond</c>): that read carries no stamp, so this
/// bucket is all that bounds what it costs, and a flood of it never takes the chunks' budget. Thread-safe; one instance.
/// </summary>
public sealed class UploadGate : IDisposable
{
    public const int TokenBytes = 64 * 1024;

    /// <summary>How long a client is told to wait when the budget is spent.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly SharedTokenBucket _bucket;
    private readonly SharedTokenBucket _statusReads;

    public UploadGate(IOptions<AttachmentOptions> options, ISharedBucketStore buckets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rate = (double)options.Value.MaxBytesPerSecond / TokenBytes;
        var burst = Math.Max(TokensFor(ChunkLayout.LargeChunkBytes), (int)Math.Ceiling(2 * rate));
        var block = Math.Clamp((int)Math.Ceiling(rate), 1, burst);
        _bucket = new SharedTokenBucket(buckets, "upload-bytes", rate, burst, block, RetryAfter, TimeSpan.FromSeconds(1), time);

        // As the lookup bucket: about a second's worth claimed at a time, stale after a second.
        var reads = options.Value.MaxStatusReadsPerSecond;
        _statusReads = new SharedTokenBucket(buckets, "upload-status-reads", reads, 2 * reads, reads, RetryAfter, TimeSpan.FromSeconds(1), time);
    }

    public static int TokensFor(int bytes) => (bytes + TokenBytes - 1) / TokenBytes;

    /// <summary>Takes <paramref name="bytes"/> from the budget; false when it is spent for now (what was taken is not given back).</summary>
    /// <exception cref="Intake.StorageUnavailableException">The shared bucket could not be reached.</exception>
    public async ValueTask<bool> TryTakeAsync(int bytes, CancellationToken cancellationToken)
    {
        for (var i = TokensFor(bytes); i > 0; i--)
        {
            if (!await _bucket.TryTakeAsync(0, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A token for one ask of what arrived; false when the bucket is empty for now.</summary>
    /// <exception cref="Intake.StorageUnavailableException">The shared bucket could not be reached.</exception>
    public ValueTask<bool> TryTakeStatusReadAsync(CancellationToken cancellationToken) => _statusReads.TryTakeAsync(0, cancellationToken);

    public void Dispose()
    {
        _bucket.Dispose();
        _statusReads.Dispose();
    }
}
