using System.Security.Cryptography;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;

namespace TipIntake.Core.Tests.Fakes;

/// <summary>
/// An intake key backed by a real RSA key, behaving as the Key Vault adapter does: a kid of another version is
/// <see cref="IntakeKeyFailure.KeyUnavailable"/>, a wrapped key it cannot decrypt is <see cref="IntakeKeyFailure.Rejected"/>.
/// Any failure can also be forced.
/// </summary>
internal sealed class FakeIntakeKey : IIntakeKey
{
    public const string VaultHost = "test.vault.azure.net";
    public const string KeyName = "intake";

    private static readonly Lazy<RSA> LazyRsa3072 = new(() => RSA.Create(3072));
    private static readonly Lazy<RSA> LazyRsa2048 = new(() => RSA.Create(2048));

    private readonly RSA _rsa;
    private readonly IntakePublicKey _publicKey;

    public FakeIntakeKey(RSA? rsa = null, string? version = null)
    {
        _rsa = rsa ?? Rsa3072;
        Version = version ?? Convert.ToHexStringLower(SHA256.HashData(_rsa.ExportSubjectPublicKeyInfo()))[..32];
        var parameters = _rsa.ExportParameters(includePrivateParameters: false);
        _publicKey = new IntakePublicKey(KeyId, JoseBase64.Encode(parameters.Modulus!), JoseBase64.Encode(parameters.Exponent!));
    }

    /// <summary>The RSA-3072 key that intake keys use unless told otherwise (generated once per test run).</summary>
    public static RSA Rsa3072 => LazyRsa3072.Value;

    /// <summary>A key of another size, to wrap content keys that an RSA-3072 intake key cannot have produced.</summary>
    public static RSA Rsa2048 => LazyRsa2048.Value;

    public RSA Rsa => _rsa;

    public string Version { get; }

    public string KeyId => $"https://{VaultHost}/keys/{KeyName}/{Version}";

    /// <summary>When set, <see cref="UnwrapAsync"/> throws an <see cref="IntakeKeyException"/> with this failure.</summary>
    public IntakeKeyFailure? UnwrapFailure { get; set; }

    /// <summary>When set, <see cref="GetPublicKeyAsync"/> throws an <see cref="IntakeKeyException"/> with this failure.</summary>
    public IntakeKeyFailure? PublicKeyFailure { get; set; }

    public int UnwrapCalls { get; private set; }

    public ValueTask<IntakePublicKey> GetPublicKeyAsync(CancellationToken cancellationToken)
    {
        if (PublicKeyFailure is { } failure)
        {
            throw new IntakeKeyException(failure, "forced public key failure");
        }

        return ValueTask.FromResult(_publicKey);
    }

    /// <summary>When set, <see cref="CheckKeyVersion"/> answers <see cref="KeyVersionState.Unknown"/> (versions not read yet).</summary>
    public bool VersionsUnknown { get; set; }

    /// <summary>Like a vault where every version is enabled: any well-formed version of this key in this vault.</summary>
    public KeyVersionCheck CheckKeyVersion(string keyId) =>
        VersionsUnknown ? KeyVersionCheck.Unknown
        : KeyIdentifier.TryParse(keyId, out var id) && id.VaultHost == VaultHost && id.Name == KeyName
            ? KeyVersionCheck.Accepted(_publicKey.ModulusLength)
            : KeyVersionCheck.Refused;

    public ValueTask<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken)
    {
        UnwrapCalls++;
        if (UnwrapFailure is { } failure)
        {
            throw new IntakeKeyException(failure, "forced unwrap failure");
        }

        if (!KeyIdentifier.TryParse(keyId, out var id) || id.ToString() != KeyId)
        {
            throw new IntakeKeyException(IntakeKeyFailure.KeyUnavailable, "no such key version");
        }

        try
        {
            return ValueTask.FromResult(_rsa.Decrypt(wrappedKey.Span, RSAEncryptionPadding.OaepSHA256));
        }
        catch (CryptographicException ex)
        {
            throw new IntakeKeyException(IntakeKeyFailure.Rejected, "the key could not unwrap the content key", ex);
        }
    }
}
