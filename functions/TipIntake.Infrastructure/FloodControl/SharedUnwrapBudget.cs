using Microsoft.Extensions.Options;
using TipIntake.Core.FloodControl;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;

namespace TipIntake.Infrastructure.FloodControl;

/// <summary>
/// The processor's Key Vault budget, shared by every instance (<c>Processing:UnwrapsPerSecond</c>, a token bucket of
/// one second's worth in table <c>FloodControl</c>): however many instances process, together they ask the vault for at
/// most that many unwraps a second. Instances claim tokens in blocks of an eighth of a second's worth, spend them
/// within a second or drop them, and the bulk lane may only claim while a quarter of the bucket would remain: the main
/// lane (what was paid the suggested effort, and no-script reports) always finds room first. A main-lane take that
/// finds none waits up to half a second; after that the message is deferred, not failed.
/// </summary>
public sealed class SharedUnwrapBudget : IUnwrapBudget, IDisposable
{
    private static readonly TimeSpan MainWait = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly SharedTokenBucket? _main;
    private readonly SharedTokenBucket? _bulk;
    private readonly int _reserve;
    private readonly TimeProvider _time;

    public SharedUnwrapBudget(ISharedBucketStore store, IOptions<ProcessingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
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

        if (lane == Lane.Bulk)
        {
            return await _bulk.TryTakeAsync(_reserve, cancellationToken).ConfigureAwait(false);
        }

        var deadline = _time.GetUtcNow() + MainWait;
        while (true)
        {
            if (await _main.TryTakeAsync(keepAtLeast: 0, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (_time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(Poll, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _main?.Dispose();
        _bulk?.Dispose();
    }
}
