namespace TipIntake.Core.Keys;

public enum IntakeKeyFailure
{
    /// <summary>Throttled, unavailable or timed out: try again later.</summary>
    Transient,

    /// <summary>Not allowed to use the key (401/403): a deployment error. Retried, then quarantined; never silent.</summary>
    Unauthorized,

    /// <summary>The key version is unknown, disabled or deleted: quarantine the tip so it can be replayed once it is back.</summary>
    KeyUnavailable,

    /// <summary>The key store rejected the wrapped key itself (it was not made with this key): quarantine.</summary>
    Rejected,
}

/// <summary>A failure to use the intake key. The message names the failure, never key material or tip content.</summary>
public sealed class IntakeKeyException : Exception
{
    public IntakeKeyException()
    {
    }

    public IntakeKeyException(string message)
        : base(message)
    {
    }

    public IntakeKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IntakeKeyException(IntakeKeyFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    public IntakeKeyFailure Failure { get; }
}
