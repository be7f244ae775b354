namespace TipIntake.Core.Processing;

/// <summary>
/// How a message ended: stored for triage, quarantined (done with, not to be retried), or to be retried by the
/// queue. The queue function turns <see cref="RetryLater"/> into a thrown exception; the other two complete the message.
/// </summary>
public abstract record ProcessingOutcome
{
    private ProcessingOutcome()
    {
    }

    public sealed record Stored(string TipId, string TriageQueue, bool WasRedelivery) : ProcessingOutcome;

    public sealed record Quarantined(string QuarantineId, QuarantineReason Reason) : ProcessingOutcome;

    public sealed record RetryLater(string Reason) : ProcessingOutcome;
}

/// <summary>Thrown by queue functions so that the queue redelivers the message. Carries a reason code, never content.</summary>
public sealed class RetryLaterException : Exception
{
    public RetryLaterException()
    {
    }

    public RetryLaterException(string message)
        : base(message)
    {
    }

    public RetryLaterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
