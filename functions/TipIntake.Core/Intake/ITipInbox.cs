namespace TipIntake.Core.Intake;

/// <summary>The inbound queue (<c>tips-inbound</c>). A tip counts as accepted only once this returns.</summary>
public interface ITipInbox
{
    /// <exception cref="StorageUnavailableException">The queue did not accept the message.</exception>
    Task EnqueueAsync(TipEnvelope envelope, CancellationToken cancellationToken);
}

/// <summary>Storage could not be reached or refused the operation; the caller may try again later.</summary>
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException()
    {
    }

    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
