namespace TipIntake.LocalHost.Worker;

/// <summary>The worker is not there to answer: not started yet, restarting, or gone.</summary>
public sealed class WorkerUnavailableException : Exception
{
    public WorkerUnavailableException()
        : this("The Functions worker is not available.")
    {
    }

    public WorkerUnavailableException(string message)
        : base(message)
    {
    }

    public WorkerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A function invocation the worker reported as failed, with the worker's own exception type and message.</summary>
public sealed class WorkerInvocationException : Exception
{
    public WorkerInvocationException()
    {
    }

    public WorkerInvocationException(string message)
        : base(message)
    {
    }

    public WorkerInvocationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WorkerInvocationException(string message, string? workerStackTrace)
        : base(message) => WorkerStackTrace = workerStackTrace;

    public string? WorkerStackTrace { get; }

    public override string? StackTrace => WorkerStackTrace ?? base.StackTrace;
}
