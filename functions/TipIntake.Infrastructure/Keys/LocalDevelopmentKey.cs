using TipIntake.Core.Jwe;

namespace TipIntake.Infrastructure.Keys;

/// <summary>Section <c>LocalDevelopmentKey</c>.</summary>
public sealed class LocalDevelopmentKeyOptions
{
    public const string SectionName = "LocalDevelopmentKey";

    /// <summary>Where the key lives; by default <c>.local/</c> at the repository root (git-ignored).</summary>
    public string? Folder { get; set; }
}

/// <summary>
/// An RSA-3072 intake key for local development only, generated on first use into a file readable by this user only.
/// Its <c>kid</c> has Key Vault's form on a host that cannot exist in Azure; the version is derived from the public key,
/// so a new key file is a new version.
/// </summary>
public sealed class LocalDevelopmentKey : IIntakeKey, IIntakeKeyExpiry, IDisposable
{
    public const string VaultHost = "tipintake-local.vault.localhost";
    public const string KeyName = "intake-dev";
    public const string FileName = "intake-key.pem";

    private readonly RSA _rsa = RSA.Create();
    private readonly KeyIdentifier _id;
    private readonly IntakePublicKey _publicKey;

    public LocalDevelopmentKey(IOptions<LocalDevelopmentKeyOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = options.Value.Folder ?? LocalState.DefaultFolder();
        var pem = LocalState.ReadOrCreate(Path.Combine(folder, FileName), CreatePem);
        _rsa.ImportFromPem(Encoding.ASCII.GetString(pem));
        if (_rsa.KeySize < 3072)
        {
            throw new InvalidOperationException($"The development key in {folder} is shorter than 3072 bits; delete it to make a new one.");
        }

        var version = Convert.ToHexStringLower(SHA256.HashData(_rsa.ExportSubjectPublicKeyInfo()))[..32];
        _id = new KeyIdentifier(VaultHost, KeyName, version);
        var parameters = _rsa.ExportParameters(includePrivateParameters: false);
        _publicKey = new IntakePublicKey(_id.ToString(), JoseBase64.Encode(parameters.Modulus), JoseBase64.Encode(parameters.Exponent));
    }

    public ValueTask<IntakePublicKey> GetPublicKeyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_publicKey);

    /// <summary>The development key never expires.</summary>
    public ValueTask<IntakeKeyValidity> GetCurrentValidityAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new IntakeKeyValidity(_id.Version, null));

    /// <summary>The development key has one version: only it is accepted.</summary>
    public KeyVersionCheck CheckKeyVersion(string keyId) =>
        KeyIdentifier.TryParse(keyId, out var id) && id == _id ? KeyVersionCheck.Accepted(_publicKey.ModulusLength) : KeyVersionCheck.Refused;

    public ValueTask<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken)
    {
        if (!KeyIdentifier.TryParse(keyId, out var id) || id != _id)
        {
            throw new IntakeKeyException(IntakeKeyFailure.KeyUnavailable, "The development key has no such version.");
        }

        try
        {
            return ValueTask.FromResult(_rsa.Decrypt(wrappedKey.Span, RSAEncryptionPadding.OaepSHA256));
        }
        catch (CryptographicException ex)
        {
            throw new IntakeKeyException(IntakeKeyFailure.Rejected, "The development key could not unwrap the content key.", ex);
        }
    }

    public void Dispose() => _rsa.Dispose();

    private static byte[] CreatePem()
    {
        using var rsa = RSA.Create(3072);
        return Encoding.ASCII.GetBytes(rsa.ExportPkcs8PrivateKeyPem());
    }
}
