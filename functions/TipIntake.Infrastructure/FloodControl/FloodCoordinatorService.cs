namespace TipIntake.Infrastructure.FloodControl;

/// <summary>Runs <see cref="FloodCoordinator.TickAsync"/> once a second for the life of the host; a failed tick, whatever failed, is logged and the next one tries again.</summary>
public sealed partial class FloodCoordinatorService(FloodCoordinator coordinator, TimeProvider time, ILogger<FloodCoordinatorService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private int _failuresInARow;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await coordinator.TickAsync(stoppingToken).ConfigureAwait(false);
                _failuresInARow = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever failed, the loop goes on: a BackgroundService that throws stops the whole host, and an
                // instance whose ticks stopped would keep its last floor and backlog for good — holding the bulk lane
                // behind a main lane it believes full. Said once, then once a minute: an outage must not fill the logs.
                // Storage out of reach is expected now and then (a warning); anything else (an answer from storage that
                // is not an outage, a row it cannot read, a bug) is an error, named by its type only.
                if (_failuresInARow++ % 60 == 0)
                {
                    if (ex is StorageUnavailableException)
                    {
                        Log.FloodStateUnavailable(logger, ex.Message, _failuresInARow);
                    }
                    else
                    {
                        Log.FloodTickFailed(logger, ex.GetType().Name, _failuresInARow);
                    }
                }
            }
        }
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3204, LogLevel.Warning, "Flood control's shared state could not be reached ({Failure}); the floor stays as it was ({FailuresInARow} ticks in a row)")]
        public static partial void FloodStateUnavailable(ILogger logger, string failure, int failuresInARow);

        [LoggerMessage(3205, LogLevel.Error, "Flood control's tick failed ({ErrorType}); the floor and backlog stay as they were ({FailuresInARow} ticks in a row)")]
        public static partial void FloodTickFailed(ILogger logger, string errorType, int failuresInARow);
    }
}
