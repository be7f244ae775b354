namespace TipIntake.Infrastructure.KeyVault;

/// <summary>
/// A Key Vault error answer, with the service's error code (<see cref="RequestFailedException.ErrorCode"/>, e.g.
/// <c>KeyNotFound</c>) and, where given, the inner error code (e.g. <c>KeyDisabled</c>). The message is the service's
/// own text; request and response bodies are never part of it.
/// </summary>
public sealed class KeyVaultRequestFailedException : RequestFailedException
{
    public KeyVaultRequestFailedException(string message)
        : base(message)
    {
    }

    public KeyVaultRequestFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KeyVaultRequestFailedException(int status, string message, string? errorCode, string? innerErrorCode)
        : base(status, message, errorCode, innerException: null)
    {
        InnerErrorCode = innerErrorCode;
    }

    public string? InnerErrorCode { get; }
}
