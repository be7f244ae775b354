namespace TipIntake.Core.Keys;

/// <summary>
/// The RSA key reporters encrypt to. Its private half never leaves its store (Key Vault in Azure, a file in local
/// development): the service only asks it to unwrap content keys.
/// </summary>
public interface IIntakeKey
{
    /// <summary>The current version's public half, ready to serve as a JWK.</summary>
    ValueTask<IntakePublicKey> GetPublicKeyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether a submission may name <paramref name="keyId"/>: an enabled version of this key (the same vault and key
    /// name). When the key store cannot say right now, true: the processor decides, so that no tip is turned away.
    /// </summary>
    ValueTask<bool> AcceptsKeyIdAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Unwraps a content key with RSA-OAEP-256.</summary>
    /// <exception cref="IntakeKeyException">The key store refused or could not be reached; <see cref="IntakeKeyException.Failure"/> says which.</exception>
    ValueTask<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken);
}
