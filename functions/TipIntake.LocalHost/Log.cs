namespace TipIntake.LocalHost;

/// <summary>The local host's own log lines (event ids 9000–9199).</summary>
internal static partial class Log
{
    [LoggerMessage(9001, LogLevel.Warning, "Stopped without reaching storage ({ErrorType}); leases left behind expire by themselves")]
    public static partial void StopWithoutStorage(ILogger logger, string errorType);

    [LoggerMessage(9002, LogLevel.Information, "Functions worker {ProcessId} ready in {ElapsedMs} ms: {FunctionCount} functions loaded")]
    public static partial void WorkerReady(ILogger logger, int processId, long elapsedMs, int functionCount);

    [LoggerMessage(9003, LogLevel.Error, "Functions worker {ProcessId} exited unexpectedly (exit code {ExitCode})")]
    public static partial void WorkerExited(ILogger logger, int processId, int exitCode);

    [LoggerMessage(9004, LogLevel.Warning, "Restarting the Functions worker (restart {Restart} of at most {MaxRestarts} within {Window})")]
    public static partial void WorkerRestarting(ILogger logger, int restart, int maxRestarts, TimeSpan window);

    [LoggerMessage(9005, LogLevel.Critical, "The Functions worker cannot be kept running; stopping the local host: {Reason}")]
    public static partial void WorkerGivenUp(ILogger logger, string reason);

    [LoggerMessage(9006, LogLevel.Information, "Functions worker {ProcessId} stopped (exit code {ExitCode})")]
    public static partial void WorkerStopped(ILogger logger, int processId, int exitCode);

    [LoggerMessage(9007, LogLevel.Warning, "Forwarding a request to function {Function} failed: {Error}")]
    public static partial void ForwardingFailed(ILogger logger, string function, string error);

    [LoggerMessage(9008, LogLevel.Debug, "Invocation {InvocationId} of {Function} answered {Status}")]
    public static partial void InvocationDone(ILogger logger, string invocationId, string function, string status);

    [LoggerMessage(9010, LogLevel.Information, "{Line}")]
    public static partial void WorkerStdout(ILogger logger, string line);

    [LoggerMessage(9011, LogLevel.Warning, "{Line}")]
    public static partial void WorkerStderr(ILogger logger, string line);

    [LoggerMessage(EventId = 9012, Message = "{WorkerMessage}")]
    public static partial void WorkerLog(ILogger logger, LogLevel level, string workerMessage, Exception? exception);

    [LoggerMessage(9013, LogLevel.Debug, "Worker log for an invocation that is no longer running ({InvocationId}) logged under its own category")]
    public static partial void LateWorkerLog(ILogger logger, string invocationId);

    [LoggerMessage(9014, LogLevel.Critical, "An error the WebJobs SDK cannot hand to a function ({ErrorType}): the host is shutting down")]
    public static partial void HostStoppingAfterError(ILogger logger, string errorType, Exception exception);
}
