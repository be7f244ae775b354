using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Tests.Support;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.KeyVault;

/// <summary><see cref="KeyVaultIntakeKey"/>'s public key cache and key-version checks over <see cref="FakeKeyVault"/>, on a fake clock.</summary>
public sealed class KeyVaultIntakeKeyTests : IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromHours(1);
    private readonly FakeKeyVault _vault = new(new FakeTokenCredential());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturingLogger<KeyVaultIntakeKey> _logger = new();
    private readonly KeyVaultIntakeKey _intakeKey;

    public KeyVaultIntakeKeyTests()
    {
        _intakeKey = KeyVaultTestHost.IntakeKey(KeyVaultTestHost.Client(_vault), _vault.KeyName, _time, _logger, o =>
        {
            o.PublicKeyRefreshInterval = RefreshInterval;
            o.PublicKeyMaxStaleness = MaxStaleness;
        });
    }

    public void Dispose()
    {
        _intakeKey.Dispose();
        _vault.Dispose();
    }

    private int KeyReads => _vault.AuthorisedRequests("GET");

    private ValueTask<IntakePublicKey> PublicKey() => _intakeKey.GetPublicKeyAsync(CancellationToken.None);

    private KeyVersionCheck Check(string kid) => _intakeKey.CheckKeyVersion(kid);

    private Task<bool> Refresh() => _intakeKey.RefreshVersionsAsync(CancellationToken.None);

    private int ListReads => _vault.Requests.Count(r => r.Method == "GET" && r.Authorization is not null && r.Path.EndsWith("/versions", StringComparison.Ordinal));

    private static string Base64Url(byte[] bytes) => JoseBase64.Encode(bytes);

    [Fact]
    public async Task Public_key_is_the_current_version_and_is_cached_for_the_refresh_interval()
    {
        var first = _vault.CurrentVersion;

        var key = await PublicKey();

        Assert.Equal(_vault.KeyIdOf(first), key.KeyId);
        Assert.Equal(Base64Url(_vault.PublicKeyOf(first).Modulus!), key.Modulus);
        Assert.Equal("AQAB", key.Exponent);
        Assert.Equal(1, KeyReads);

        _vault.AddVersion(bits: 2048);
        _time.Advance(RefreshInterval - TimeSpan.FromSeconds(1));
        var cached = await PublicKey();

        Assert.Same(key, cached);
        Assert.Equal(1, KeyReads);
    }

    [Fact]
    public async Task Rotation_is_served_after_the_refresh_interval_and_the_last_key_survives_a_failing_vault_until_max_staleness()
    {
        await PublicKey();
        var second = _vault.AddVersion(bits: 2048);
        _time.Advance(RefreshInterval);

        var rotated = await PublicKey();

        Assert.Equal(_vault.KeyIdOf(second), rotated.KeyId);
        Assert.Equal(Base64Url(_vault.PublicKeyOf(second).Modulus!), rotated.Modulus);
        Assert.Equal(2, KeyReads);

        _vault.PersistentFault = FakeKeyVault.Fault.Unavailable();
        _time.Advance(RefreshInterval);
        var stale = await PublicKey();

        Assert.Equal(rotated, stale);
        Assert.Equal(3, KeyReads);
        Assert.Contains(_logger.Lines, l => l.Contains("HTTP 503 ServiceUnavailable", StringComparison.Ordinal) && l.Contains("Transient", StringComparison.Ordinal));

        _time.Advance(MaxStaleness - RefreshInterval - TimeSpan.FromSeconds(1));
        Assert.Equal(rotated, await PublicKey());

        _time.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<IntakeKeyException>(async () => await PublicKey());

        Assert.Equal(IntakeKeyFailure.Transient, ex.Failure);
        Assert.Equal(503, Assert.IsType<KeyVaultRequestFailedException>(ex.InnerException).Status);

        _vault.PersistentFault = null;
        Assert.Equal(_vault.KeyIdOf(second), (await PublicKey()).KeyId);
    }

    [Fact]
    public async Task Failing_vault_without_any_cached_key_is_an_IntakeKeyException()
    {
        _vault.PersistentFault = FakeKeyVault.Fault.Forbidden();

        var ex = await Assert.ThrowsAsync<IntakeKeyException>(async () => await PublicKey());

        Assert.Equal(IntakeKeyFailure.Unauthorized, ex.Failure);
    }

    [Fact]
    public async Task Disabled_current_version_is_not_served()
    {
        _vault.SetEnabled(_vault.CurrentVersion, enabled: false);

        var ex = await Assert.ThrowsAsync<IntakeKeyException>(async () => await PublicKey());

        Assert.Equal(IntakeKeyFailure.KeyUnavailable, ex.Failure);
    }

    [Fact]
    public async Task RSA_HSM_key_is_served_as_an_RSA_jwk()
    {
        Assert.Equal("RSA-HSM", _vault.KeyType);

        var key = await PublicKey();

        var jwk = JsonNode.Parse(JsonSerializer.Serialize(key))!;
        Assert.Equal("RSA", (string)jwk["kty"]!);
        Assert.Equal("RSA-OAEP-256", (string)jwk["alg"]!);
        Assert.Contains("encrypt", jwk["key_ops"]!.AsArray().Select(o => (string)o!));
        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = Base64UrlDecode(key.Modulus), Exponent = Base64UrlDecode(key.Exponent) });
        var cek = RandomNumberGenerator.GetBytes(32);
        var wrapped = rsa.Encrypt(cek, RSAEncryptionPadding.OaepSHA256);
        Assert.Equal(cek, await _intakeKey.UnwrapAsync(key.KeyId, wrapped, CancellationToken.None));
    }

    [Fact]
    public async Task Leading_zero_byte_in_n_is_not_served()
    {
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential) { KeyType = "RSA" };
        using var zeroPrefixing = new KeyBundleRewriter(vault, key => key["n"] = JoseBase64.Encode([0, .. Base64UrlDecode((string)key["n"]!)]));
        var client = new KeyVaultKeysClient(vault.VaultUri, credential, KeyVaultTestHost.ClientOptions(zeroPrefixing.Transport()));
        using var intakeKey = KeyVaultTestHost.IntakeKey(client, vault.KeyName);
        var modulus = vault.PublicKeyOf(vault.CurrentVersion).Modulus!;

        var raw = await client.GetKeyAsync(vault.KeyName, null, CancellationToken.None);
        var key = await intakeKey.GetPublicKeyAsync(CancellationToken.None);

        Assert.Equal(0, raw.Modulus[0]); // the handler did put it there
        Assert.Equal(modulus.Length + 1, raw.Modulus.Length);
        Assert.Equal(Base64Url(modulus), key.Modulus);
        Assert.NotEqual(0, Base64UrlDecode(key.Modulus)[0]);
        Assert.Equal(modulus.Length, key.ModulusLength);
    }

    [Fact]
    public async Task EC_key_is_not_served_nor_accepted()
    {
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential);
        using var ec = new KeyBundleRewriter(vault, key =>
        {
            key["kty"] = "EC";
            key.Remove("n");
            key.Remove("e");
            key["crv"] = "P-256";
            key["x"] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
            key["y"] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
        });
        var client = new KeyVaultKeysClient(vault.VaultUri, credential, KeyVaultTestHost.ClientOptions(ec.Transport()));
        using var intakeKey = KeyVaultTestHost.IntakeKey(client, vault.KeyName);

        var raw = await client.GetKeyAsync(vault.KeyName, null, CancellationToken.None);
        var ex = await Assert.ThrowsAsync<IntakeKeyException>(async () => await intakeKey.GetPublicKeyAsync(CancellationToken.None));

        Assert.Equal("EC", raw.KeyType);
        Assert.False(raw.IsRsa);
        Assert.Equal(IntakeKeyFailure.KeyUnavailable, ex.Failure);
        Assert.True(await intakeKey.RefreshVersionsAsync(CancellationToken.None));
        Assert.Equal(KeyVersionCheck.Refused, intakeKey.CheckKeyVersion(vault.CurrentKeyId));
    }

    [Fact]
    public async Task Versions_are_unknown_until_read_except_the_current_one_once_its_public_key_is_cached()
    {
        Assert.Equal(KeyVersionCheck.Unknown, Check(_vault.CurrentKeyId));
        Assert.Empty(_vault.Requests);

        await PublicKey();

        Assert.Equal(KeyVersionCheck.Accepted(384), Check(_vault.CurrentKeyId));
        Assert.Equal(KeyVersionCheck.Unknown, Check(_vault.KeyIdOf(_vault.AddVersion(bits: 2048))));
    }

    [Fact]
    public async Task Current_and_older_enabled_versions_are_accepted_from_the_list_with_the_length_of_their_wrapped_keys()
    {
        var first = _vault.CurrentVersion;
        var second = _vault.AddVersion(bits: 2048);

        Assert.True(await Refresh());

        Assert.Equal(KeyVersionCheck.Accepted(384), Check(_vault.KeyIdOf(first)));
        Assert.Equal(KeyVersionCheck.Accepted(256), Check(_vault.KeyIdOf(second)));
        Assert.Equal(1, ListReads);
        Assert.Equal(3, KeyReads); // the list and each version once, for its modulus

        Assert.True(await Refresh());
        Assert.Equal(2, ListReads);
        Assert.Equal(4, KeyReads); // a version's key material never changes: not read again
    }

    [Fact]
    public async Task Disabled_and_deleted_versions_are_not_accepted()
    {
        var disabled = _vault.CurrentVersion;
        var deleted = _vault.AddVersion(bits: 2048);
        var current = _vault.AddVersion(bits: 2048);
        _vault.SetEnabled(disabled, enabled: false);
        _vault.Delete(deleted);

        Assert.True(await Refresh());

        Assert.Equal(KeyVersionCheck.Refused, Check(_vault.KeyIdOf(disabled)));
        Assert.Equal(KeyVersionCheck.Refused, Check(_vault.KeyIdOf(deleted)));
        Assert.Equal(KeyVersionState.Accepted, Check(_vault.KeyIdOf(current)).State);
    }

    [Fact]
    public async Task Version_disabled_after_it_was_listed_is_refused_from_the_next_read()
    {
        var version = _vault.CurrentVersion;
        Assert.True(await Refresh());
        _vault.SetEnabled(version, enabled: false);

        Assert.Equal(KeyVersionState.Accepted, Check(_vault.KeyIdOf(version)).State);
        Assert.True(await Refresh());
        Assert.Equal(KeyVersionCheck.Refused, Check(_vault.KeyIdOf(version)));
    }

    [Fact]
    public async Task Checking_madeUp_versions_never_asks_the_vault()
    {
        Assert.True(await Refresh());
        var before = _vault.Requests.Count;

        for (var i = 0; i < 1_000; i++)
        {
            var madeUp = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            Assert.Equal(KeyVersionCheck.Refused, Check(_vault.KeyIdOf(madeUp)));
        }

        Assert.Equal(before, _vault.Requests.Count);
    }

    [Theory]
    [InlineData("https://other-vault.vault.azure.net/keys/intake/0123456789abcdef0123456789abcdef")]
    [InlineData("https://tipintake-test.vault.azure.net/keys/other-key/0123456789abcdef0123456789abcdef")]
    [InlineData("https://tipintake-test.vault.azure.net/keys/intake/")]
    [InlineData("https://tipintake-test.vault.azure.net/keys/intake/0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("https://tipintake-test.vault.azure.net/secrets/intake/0123456789abcdef0123456789abcdef")]
    [InlineData("not a kid")]
    [InlineData("")]
    public void Kid_of_another_vault_or_key_or_malformed_is_refused_without_a_request(string kid)
    {
        Assert.Equal(KeyVersionCheck.Refused, Check(kid));
        Assert.Empty(_vault.Requests);
    }

    [Fact]
    public async Task Failing_vault_keeps_the_last_list_in_use()
    {
        Assert.True(await Refresh());
        _vault.PersistentFault = FakeKeyVault.Fault.Unavailable();

        Assert.False(await Refresh());

        Assert.Equal(KeyVersionState.Accepted, Check(_vault.CurrentKeyId).State);
        Assert.Contains(_logger.Lines, l => l.Contains("the last list (1 versions) stays in use", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Versions_listed_over_several_pages_are_all_read_by_following_next_links()
    {
        _vault.VersionsPageSize = 2;
        var versions = new List<string> { _vault.CurrentVersion };
        for (var i = 0; i < 4; i++)
        {
            versions.Add(_vault.AddVersion(bits: 2048));
        }

        Assert.True(await Refresh());

        Assert.All(versions, v => Assert.Equal(KeyVersionState.Accepted, Check(_vault.KeyIdOf(v)).State));
        var lists = _vault.Requests.Where(r => r.Authorization is not null && r.Path.EndsWith("/versions", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lists.Count);
        Assert.Equal("?api-version=7.5", lists[0].Query);
        Assert.All(lists.Skip(1), r => Assert.Contains("$skiptoken=", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Next_link_to_another_host_is_refused_and_nothing_is_sent_there()
    {
        _vault.VersionsPageSize = 1;
        _vault.AddVersion(bits: 2048);
        _vault.NextLinkHost = "elsewhere.example.com";

        Assert.False(await Refresh());

        Assert.Equal(KeyVersionCheck.Unknown, Check(_vault.CurrentKeyId));
        Assert.Equal(1, ListReads);
        Assert.Contains(_logger.Lines, l => l.Contains("InvalidResponse", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Current_validity_is_read_fresh_from_the_vault_with_the_version_expiry()
    {
        await PublicKey();
        var second = _vault.AddVersion();
        var expires = new DateTimeOffset(2027, 5, 1, 0, 0, 0, TimeSpan.Zero);
        _vault.SetExpires(second, expires);

        var validity = await _intakeKey.GetCurrentValidityAsync(CancellationToken.None);

        // Not the cached public key's version: the check asks the vault each time.
        Assert.Equal(new IntakeKeyValidity(second, expires), validity);
        Assert.Equal(2, KeyReads);
    }

    [Fact]
    public async Task Current_validity_failure_is_classified_like_every_other_vault_failure()
    {
        _vault.PersistentFault = FakeKeyVault.Fault.Forbidden();

        var failure = await Assert.ThrowsAsync<IntakeKeyException>(() => _intakeKey.GetCurrentValidityAsync(CancellationToken.None).AsTask());

        Assert.Equal(IntakeKeyFailure.Unauthorized, failure.Failure);
        Assert.Contains("HTTP 403", failure.Message, StringComparison.Ordinal);
    }

    private static byte[] Base64UrlDecode(string text)
    {
        Assert.True(JoseBase64.TryDecode(text, out var bytes));
        return bytes;
    }
}
