namespace TipIntake.Infrastructure.FloodControl;

/// <summary>
/// The processor's Key Vault budget, shared by every instance (<c>Processing:UnwrapsPerSecond</c>, a token bucket of
/// one second's worth in table <c>FloodControl</c>): however many instances process, together they ask the vault for at
/// most that many unwraps a second. Instances claim tokens in blocks of an eighth of a second's worth, spend them
/// within a second or drop them, and the bulk lane may only claim while a quarter of the bucket would remain: the main
/// lane (what was paid the suggested effort, and no-script reports) always finds room first. A take that finds none
/// answers false at once; the processor holds the message and asks again (<see cref="TipProcessor"/>).
/// </summary>
public sealed class SharedUnwrapBudget : IUnwrapBudget, IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly SharedTokenBucket? _main;
    private readonly SharedTokenBucket? _bulk;
    private readonly int _reserve;

    public SharedUnwrapBudget(ISharedBucketStore store, IOptions<ProcessingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var rate = options.Value.UnwrapsPerSecond;
        if (rate <= 0)
        {
            return;
        }

        var burst = Math.Max(1, (int)Math.Ceiling(rate));
        var block = Math.Max(1, (int)Math.Ceiling(rate / 8));
        _reserve = burst / 4;
        _main = new SharedTokenBucket(store, "key-vault-unwraps", rate, burst, block, Poll, TimeSpan.FromSeconds(1), time);
        _bulk = new SharedTokenBucket(store, "key-vault-unwraps", rate, burst, block, Poll, TimeSpan.FromSeconds(1), time);
    }

    public async ValueTask<bool> TryTakeAsync(Lane lane, CancellationToken cancellationToken)
    {
        if (_main is null || _bulk is null)
        {
            return true;
        }

        return lane == Lane.Bulk
            ? await _bulk.TryTakeAsync(_reserve, cancellationToken).ConfigureAwait(false)
            : await _main.TryTakeAsync(keepAtLeast: 0, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _main?.Dispose();
        _bulk?.Dispose();
    }
}
