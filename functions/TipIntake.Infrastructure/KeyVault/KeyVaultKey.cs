namespace TipIntake.Infrastructure.KeyVault;

/// <summary>The public half of a Key Vault key version and the attributes that decide whether it may be used.</summary>
public sealed record KeyVaultKey(
    Uri Id,
    string KeyType,
    IReadOnlyList<string> Operations,
    byte[] Modulus,
    byte[] Exponent,
    bool Enabled,
    DateTimeOffset? NotBefore,
    DateTimeOffset? Expires)
{
    /// <summary>The version segment of <see cref="Id"/>.</summary>
    public string Version => Id.Segments[^1].TrimEnd('/');

    public bool IsRsa => KeyType is "RSA" or "RSA-HSM";

    public bool IsUsableAt(DateTimeOffset now) =>
        Enabled && (NotBefore is null || NotBefore <= now) && (Expires is null || now < Expires);
}

/// <summary>A version of a key as <c>GET /keys/{name}/versions</c> lists it: its identifier and attributes, no key material.</summary>
public sealed record KeyVaultKeyItem(Uri Id, bool Enabled, DateTimeOffset? NotBefore, DateTimeOffset? Expires)
{
    /// <summary>The version segment of <see cref="Id"/>.</summary>
    public string Version => Id.Segments[^1].TrimEnd('/');
}
