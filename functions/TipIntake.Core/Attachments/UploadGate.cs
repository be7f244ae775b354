using TipIntake.Core.FloodControl;

namespace TipIntake.Core.Attachments;

/// <summary>
/// The byte budget of chunk uploads shared by every instance (<c>Attachments:MaxBytesPerSecond</c>): tokens of 64 KiB
/// in a <see cref="SharedTokenBucket"/>, a chunk taking as many as it is long, the bucket holding two seconds' worth
/// and at least one large chunk. A flood of stamped chunks can then cost storage only at this rate. Thread-safe; one instance.
/// </summary>
public sealed class UploadGate : IDisposable
{
    public const int TokenBytes = 64 * 1024;

    /// <summary>How long a client is told to wait when the budget is spent.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly SharedTokenBucket _bucket;

    public UploadGate(IOptions<AttachmentOptions> options, ISharedBucketStore buckets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rate = (double)options.Value.MaxBytesPerSecond / TokenBytes;
        var burst = Math.Max(TokensFor(ChunkLayout.LargeChunkBytes), (int)Math.Ceiling(2 * rate));
        var block = Math.Clamp((int)Math.Ceiling(rate), 1, burst);
        _bucket = new SharedTokenBucket(buckets, "upload-bytes", rate, burst, block, RetryAfter, TimeSpan.FromSeconds(1), time);
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

    public void Dispose() => _bucket.Dispose();
}
