using System.Runtime.ExceptionServices;
using Microsoft.Azure.WebJobs.Host.Timers;

namespace TipIntake.LocalHost.Triggers;

/// <summary>
/// What becomes of an error the WebJobs SDK cannot hand to a function (a timer's singleton lease lost while the machine
/// stalled, a listener that cannot recover): as the Functions host does, it is logged and the host shuts down cleanly,
/// stopping the worker and Azurite. The SDK's own handler rethrows it on a thread of its own, which ends the process
/// at once — leaving no log line behind, and in the tests ending the whole test run.
/// </summary>
internal sealed partial class StopHostOnUnhandledError(IHostApplicationLifetime lifetime, ILogger<StopHostOnUnhandledError> logger) : IWebJobsExceptionHandler
{
    public Task OnTimeoutExceptionAsync(ExceptionDispatchInfo exceptionInfo, TimeSpan timeoutGracePeriod)
    {
        ArgumentNullException.ThrowIfNull(exceptionInfo);
        return StopAsync(exceptionInfo.SourceException);
    }

    public Task OnUnhandledExceptionAsync(ExceptionDispatchInfo exceptionInfo)
    {
        ArgumentNullException.ThrowIfNull(exceptionInfo);
        return StopAsync(exceptionInfo.SourceException);
    }

    private Task StopAsync(Exception error)
    {
        Log.HostStoppingAfterError(logger, error.GetType().Name, error);
        lifetime.StopApplication();
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(9014, LogLevel.Critical, "An error the WebJobs SDK cannot hand to a function ({ErrorType}): the host is shutting down")]
        public static partial void HostStoppingAfterError(ILogger logger, string errorType, Exception exception);
    }
}
