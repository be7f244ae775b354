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
    /// Whether a submission may name <paramref name="keyId"/>: a known, enabled version of this key (the same vault and
    /// key name), and the length its wrapped keys have. Answered from what the key store last said, never by asking it
    /// now: a submitter chooses the kid, so a check that called the store would let anyone spend its request budget.
    /// </summary>
    KeyVersionCheck CheckKeyVersion(string keyId);

    /// <summary>Unwraps a content key with RSA-OAEP-256.</summary>
    /// <exception cref="IntakeKeyException">The key store refused or could not be reached; <see cref="IntakeKeyException.Failure"/> says which.</exception>
    ValueTask<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken);
}

/// <summary>What intake may know of a key version without asking the key store.</summary>
public enum KeyVersionState
{
    /// <summary>A known, enabled version: submissions may name it.</summary>
    Accepted,

    /// <summary>Not a version of this key, or one the store lists as disabled or does not list at all.</summary>
    Refused,

    /// <summary>The key's versions have not been read yet (the store was not reachable since start): try again later.</summary>
    Unknown,
}

/// <summary>The answer of <see cref="IIntakeKey.CheckKeyVersion"/>; <see cref="ModulusLength"/> (bytes) is set when accepted.</summary>
public readonly record struct KeyVersionCheck(KeyVersionState State, int ModulusLength)
{
    public static KeyVersionCheck Refused => new(KeyVersionState.Refused, 0);

    public static KeyVersionCheck Unknown => new(KeyVersionState.Unknown, 0);

    public static KeyVersionCheck Accepted(int modulusLength) => new(KeyVersionState.Accepted, modulusLength);
}
