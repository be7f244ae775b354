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

    /// <summary>
    /// Not processed now: the message was put back on <paramref name="Lane"/> (visible again after a delay) before this
    /// one completes — a cheap stamp moved to the bulk lane, bulk work waiting for the main lane, or the Key Vault
    /// budget spent. The queue completes this delivery; the copy is processed later.
    /// </summary>
    public sealed record Deferred(Intake.Lane Lane, string Reason) : ProcessingOutcome;
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
