namespace TipIntake.LocalHost.Worker;

/// <summary>
/// The worker's logs in the host's logging, under the categories the Functions host gives them, so that host.json's
/// <c>logging.logLevel</c> applies as it does in Azure (the worker sends everything its own filter lets through and
/// leaves the rest to the host): a log written during an invocation is <c>Function.{name}.User</c>; one written outside
/// any invocation (start-up, background work) keeps the worker's own category; the worker's system logs are
/// <c>Host.Function.Worker</c>. Its console output is <c>Host.Function.Console</c> (see <see cref="WorkerConsole"/>).
/// </summary>
internal sealed partial class WorkerLogs(ILoggerFactory loggers)
{
    private readonly ILogger _system = loggers.CreateLogger("Host.Function.Worker");

    public void Write(RpcLog log, string? runningFunction)
    {
        var level = log.Level switch
        {
            RpcLog.Types.Level.Trace => LogLevel.Trace,
            RpcLog.Types.Level.Debug => LogLevel.Debug,
            RpcLog.Types.Level.Information => LogLevel.Information,
            RpcLog.Types.Level.Warning => LogLevel.Warning,
            RpcLog.Types.Level.Error => LogLevel.Error,
            RpcLog.Types.Level.Critical => LogLevel.Critical,
            _ => LogLevel.None,
        };
        if (level == LogLevel.None || log.LogCategory == RpcLog.Types.RpcLogCategory.CustomMetric)
        {
            return;
        }

        var logger = log.LogCategory == RpcLog.Types.RpcLogCategory.System ? _system
            : runningFunction is not null ? loggers.CreateLogger($"Function.{runningFunction}.User")
            : loggers.CreateLogger(string.IsNullOrEmpty(log.Category) ? "Host.Function.Worker" : log.Category);
        if (runningFunction is null && !string.IsNullOrEmpty(log.InvocationId))
        {
            Log.LateWorkerLog(_system, log.InvocationId);
        }

        var exception = log.Exception is { } thrown
            ? new WorkerInvocationException($"{thrown.Type}: {thrown.Message}".TrimStart(':', ' '), thrown.StackTrace)
            : null;
        Log.WorkerLog(logger, level, log.Message, exception);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9012, Message = "{WorkerMessage}")]
        public static partial void WorkerLog(ILogger logger, LogLevel level, string workerMessage, Exception? exception);

        [LoggerMessage(9013, LogLevel.Debug, "Worker log for an invocation that is no longer running ({InvocationId}) logged under its own category")]
        public static partial void LateWorkerLog(ILogger logger, string invocationId);
    }
}

/// <summary>
/// The worker's stdout (Information, as the Functions host logs it) and stderr (Warning) as <c>Host.Function.Console</c>
/// log lines. The worker removes its own console logger, so these are what it prints otherwise: a crash, a stray write.
/// </summary>
internal sealed partial class WorkerConsole(ILoggerFactory loggers)
{
    private readonly ILogger _console = loggers.CreateLogger("Host.Function.Console");

    public void Write(string line, bool error)
    {
        if (error)
        {
            Log.WorkerStderr(_console, line);
        }
        else
        {
            Log.WorkerStdout(_console, line);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(9010, LogLevel.Information, "{Line}")]
        public static partial void WorkerStdout(ILogger logger, string line);

        [LoggerMessage(9011, LogLevel.Warning, "{Line}")]
        public static partial void WorkerStderr(ILogger logger, string line);
    }
}
