using System.Security.Cryptography;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.Support;

/// <summary>Builds the client and the intake key over a <see cref="FakeKeyVault"/> as the brief prescribes.</summary>
internal static class KeyVaultTestHost
{
    public static KeyVaultKeysClientOptions ClientOptions(HttpPipelineTransport transport, int maxRetries = 0, Action<KeyVaultKeysClientOptions>? configure = null)
    {
        var options = new KeyVaultKeysClientOptions
        {
            Transport = transport,
            Retry = { MaxRetries = maxRetries, Delay = TimeSpan.FromMilliseconds(10) },
        };
        configure?.Invoke(options);
        return options;
    }

    public static KeyVaultKeysClient Client(FakeKeyVault vault, TokenCredential? credential = null, int maxRetries = 0, Action<KeyVaultKeysClientOptions>? configure = null) =>
        new(vault.VaultUri, credential ?? vault.Credential, ClientOptions(vault.Transport(), maxRetries, configure));

    public static KeyVaultIntakeKey IntakeKey(
        KeyVaultKeysClient client,
        string keyName,
        TimeProvider? time = null,
        CapturingLogger<KeyVaultIntakeKey>? logger = null,
        Action<KeyVaultOptions>? configure = null)
    {
        var options = new KeyVaultOptions { VaultUri = client.VaultUri, KeyName = keyName };
        configure?.Invoke(options);
        return new KeyVaultIntakeKey(client, Options.Create(options), time ?? TimeProvider.System, logger ?? new CapturingLogger<KeyVaultIntakeKey>());
    }

    /// <summary>A content key wrapped with RSA-OAEP-256 under a version's public key, as a reporter does.</summary>
    public static byte[] Wrap(FakeKeyVault vault, string version, byte[] contentKey)
    {
        using var rsa = RSA.Create(vault.PublicKeyOf(version));
        return rsa.Encrypt(contentKey, RSAEncryptionPadding.OaepSHA256);
    }

    /// <summary>Requests that reached the vault carrying a token.</summary>
    public static int AuthorisedRequests(this FakeKeyVault vault, string method) =>
        vault.Requests.Count(r => r.Method == method && r.Authorization is not null);
}
