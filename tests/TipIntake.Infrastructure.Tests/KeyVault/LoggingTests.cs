using System.Security.Cryptography;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Tests.Support;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.KeyVault;

/// <summary>No token and no key material in log lines or exception messages, on success or failure.</summary>
public class LoggingTests
{
    private static IEnumerable<string> Forms(byte[] bytes) =>
    [
        JoseBase64.Encode(bytes),
        Convert.ToBase64String(bytes),
        Convert.ToHexString(bytes),
        Convert.ToHexStringLower(bytes),
    ];

    [Fact]
    public async Task Log_lines_and_exception_messages_carry_no_token_or_key_material()
    {
        var credential = new FakeTokenCredential();
        var stranger = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential);
        var logger = new CapturingLogger<KeyVaultIntakeKey>();
        using var intakeKey = KeyVaultTestHost.IntakeKey(KeyVaultTestHost.Client(vault), vault.KeyName, logger: logger);
        using var strangerKey = KeyVaultTestHost.IntakeKey(KeyVaultTestHost.Client(vault, stranger), vault.KeyName, logger: logger);
        var secrets = new List<string> { credential.Token, stranger.Token };
        var failures = new List<Exception>();
        var first = vault.CurrentVersion;
        secrets.AddRange(Forms(vault.PublicKeyOf(first).Modulus!));

        byte[] Wrapped(string version)
        {
            var cek = RandomNumberGenerator.GetBytes(32);
            var wrapped = KeyVaultTestHost.Wrap(vault, version, cek);
            secrets.AddRange(Forms(cek));
            secrets.AddRange(Forms(wrapped));
            return wrapped;
        }

        async Task Fails(Func<Task> action)
        {
            var ex = await Assert.ThrowsAsync<IntakeKeyException>(action);
            failures.Add(ex);
            failures.Add(ex.InnerException!);
        }

        // Success.
        var publicKey = await intakeKey.GetPublicKeyAsync(CancellationToken.None);
        Assert.True(await intakeKey.RefreshVersionsAsync(CancellationToken.None));
        Assert.Equal(KeyVersionState.Accepted, intakeKey.CheckKeyVersion(vault.CurrentKeyId).State);
        var unwrapped = await intakeKey.UnwrapAsync(vault.CurrentKeyId, Wrapped(first), CancellationToken.None);
        secrets.AddRange(Forms(unwrapped));

        // Failures: rejected, forbidden, wrong token, disabled, deleted, unavailable.
        using (var other = RSA.Create(3072))
        {
            var foreign = other.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.OaepSHA256);
            secrets.AddRange(Forms(foreign));
            await Fails(async () => await intakeKey.UnwrapAsync(vault.CurrentKeyId, foreign, CancellationToken.None));
        }

        vault.FailNext(FakeKeyVault.Fault.Forbidden());
        await Fails(async () => await intakeKey.UnwrapAsync(vault.CurrentKeyId, Wrapped(first), CancellationToken.None));
        await Fails(async () => await strangerKey.UnwrapAsync(vault.CurrentKeyId, Wrapped(first), CancellationToken.None));
        await Fails(async () => await strangerKey.GetPublicKeyAsync(CancellationToken.None));

        var second = vault.AddVersion(bits: 2048);
        secrets.AddRange(Forms(vault.PublicKeyOf(second).Modulus!));
        var wrappedUnderFirst = Wrapped(first);
        vault.SetEnabled(first, enabled: false);
        await Fails(async () => await intakeKey.UnwrapAsync(vault.KeyIdOf(first), wrappedUnderFirst, CancellationToken.None));
        vault.Delete(first);
        await Fails(async () => await intakeKey.UnwrapAsync(vault.KeyIdOf(first), wrappedUnderFirst, CancellationToken.None));

        vault.PersistentFault = FakeKeyVault.Fault.Unavailable();
        await Fails(async () => await intakeKey.UnwrapAsync(vault.KeyIdOf(second), Wrapped(second), CancellationToken.None));
        Assert.False(await intakeKey.RefreshVersionsAsync(CancellationToken.None));
        await Fails(async () => await strangerKey.GetPublicKeyAsync(CancellationToken.None));
        await Fails(async () => await intakeKey.UnwrapAsync("https://elsewhere.vault.azure.net/keys/intake/" + second, Wrapped(second), CancellationToken.None));

        // Each failure kind was logged, so the check below looked at real lines.
        Assert.Equal(publicKey.KeyId, vault.KeyIdOf(first));
        var lines = logger.Lines;
        Assert.Contains(lines, l => l.Contains("Rejected", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Unauthorized", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("KeyDisabled", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("KeyNotFound", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("the last list", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Could not refresh", StringComparison.Ordinal));
        Assert.Equal(9, failures.OfType<IntakeKeyException>().Count());
        Assert.Equal(8, failures.OfType<KeyVaultRequestFailedException>().Count());
        var texts = lines.Concat(failures.Where(f => f is not null).SelectMany(f => new[] { f.Message, f.ToString() })).ToList();

        foreach (var secret in secrets.Where(s => s.Length >= 16))
        {
            foreach (var text in texts)
            {
                Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
