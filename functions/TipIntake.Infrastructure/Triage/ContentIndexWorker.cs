namespace TipIntake.Infrastructure.Triage;

/// <summary>
/// Runs <see cref="ContentIndexer"/> in the background of every instance: woken when the processor stores a tip (then
/// it waits a moment, so that tips stored together are indexed together), and every few seconds in case another
/// instance left work behind. Search finds a tip once its batch is done, usually within a second; lists and counts
/// show it as soon as it is stored.
/// </summary>
public sealed partial class ContentIndexWorker(ContentIndexer indexer, ILogger<ContentIndexWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>A tip is waiting: index soon.</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await _wake.WaitAsync(Poll, stoppingToken).ConfigureAwait(false))
                {
                    await Task.Delay(Linger, stoppingToken).ConfigureAwait(false);
                }

                while (await indexer.RunOnceAsync(stoppingToken).ConfigureAwait(false) >= ContentIndexer.BatchSize)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The pending list keeps the work; try again a little later.
                LogBatchFailed(logger, ex.GetType().Name);
                await Task.Delay(Backoff, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(4120, LogLevel.Warning, "Content indexing failed ({ErrorType}); the pending tips are indexed on the next try")]
    private static partial void LogBatchFailed(ILogger logger, string errorType);
}
