using System.Security.Cryptography;
using TipIntake.Core.Keys;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Tests.Support;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.KeyVault;

/// <summary>What <see cref="KeyVaultIntakeKey.UnwrapAsync"/> makes of each Key Vault answer.</summary>
public sealed class ErrorMappingTests : IDisposable
{
    private readonly FakeKeyVault _vault = new(new FakeTokenCredential());
    private readonly CapturingLogger<KeyVaultIntakeKey> _logger = new();

    public void Dispose() => _vault.Dispose();

    private KeyVaultIntakeKey IntakeKey(FakeTokenCredential? credential = null) =>
        KeyVaultTestHost.IntakeKey(KeyVaultTestHost.Client(_vault, credential), _vault.KeyName, logger: _logger);

    private static async Task<IntakeKeyException> UnwrapFails(KeyVaultIntakeKey intakeKey, string keyId, byte[] wrapped) =>
        await Assert.ThrowsAsync<IntakeKeyException>(async () => await intakeKey.UnwrapAsync(keyId, wrapped, CancellationToken.None));

    private byte[] WrappedUnderCurrent() => KeyVaultTestHost.Wrap(_vault, _vault.CurrentVersion, RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task Content_keys_wrapped_under_either_of_two_versions_unwrap()
    {
        using var intakeKey = IntakeKey();
        var first = _vault.CurrentVersion;
        var firstCek = RandomNumberGenerator.GetBytes(32);
        var firstWrapped = KeyVaultTestHost.Wrap(_vault, first, firstCek);
        var second = _vault.AddVersion();
        var secondCek = RandomNumberGenerator.GetBytes(32);
        var secondWrapped = KeyVaultTestHost.Wrap(_vault, second, secondCek);

        Assert.NotEqual(first, second);
        Assert.Equal(secondCek, await intakeKey.UnwrapAsync(_vault.KeyIdOf(second), secondWrapped, CancellationToken.None));
        Assert.Equal(firstCek, await intakeKey.UnwrapAsync(_vault.KeyIdOf(first), firstWrapped, CancellationToken.None));
        Assert.Contains(_vault.Requests, r => r.Path == $"/keys/intake/{first}/unwrapKey" && r.Authorization is not null);
        Assert.Contains(_vault.Requests, r => r.Path == $"/keys/intake/{second}/unwrapKey" && r.Authorization is not null);
        Assert.Empty(_logger.Lines);
    }

    [Fact]
    public async Task Forbidden_is_Unauthorized()
    {
        using var intakeKey = IntakeKey();
        _vault.FailNext(FakeKeyVault.Fault.Forbidden());

        var ex = await UnwrapFails(intakeKey, _vault.CurrentKeyId, WrappedUnderCurrent());

        Assert.Equal(IntakeKeyFailure.Unauthorized, ex.Failure);
        var inner = Assert.IsType<KeyVaultRequestFailedException>(ex.InnerException);
        Assert.Equal(403, inner.Status);
        Assert.Equal("ForbiddenByRbac", inner.InnerErrorCode);
        Assert.Contains(_logger.Lines, l => l.Contains("HTTP 403 Forbidden/ForbiddenByRbac", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disabled_version_is_KeyUnavailable()
    {
        using var intakeKey = IntakeKey();
        var wrapped = WrappedUnderCurrent();
        _vault.SetEnabled(_vault.CurrentVersion, enabled: false);

        var ex = await UnwrapFails(intakeKey, _vault.CurrentKeyId, wrapped);

        Assert.Equal(IntakeKeyFailure.KeyUnavailable, ex.Failure);
        var inner = Assert.IsType<KeyVaultRequestFailedException>(ex.InnerException);
        Assert.Equal(403, inner.Status);
        Assert.Equal("Forbidden", inner.ErrorCode);
        Assert.Equal("KeyDisabled", inner.InnerErrorCode);
    }

    [Fact]
    public async Task Deleted_version_is_KeyUnavailable()
    {
        using var intakeKey = IntakeKey();
        var old = _vault.CurrentVersion;
        var wrapped = WrappedUnderCurrent();
        _vault.AddVersion(bits: 2048);
        _vault.Delete(old);

        var ex = await UnwrapFails(intakeKey, _vault.KeyIdOf(old), wrapped);

        Assert.Equal(IntakeKeyFailure.KeyUnavailable, ex.Failure);
        var inner = Assert.IsType<KeyVaultRequestFailedException>(ex.InnerException);
        Assert.Equal(404, inner.Status);
        Assert.Equal("KeyNotFound", inner.ErrorCode);
    }

    [Fact]
    public async Task Key_wrapped_under_another_RSA_key_is_Rejected()
    {
        using var intakeKey = IntakeKey();
        using var stranger = RSA.Create(3072);
        var wrapped = stranger.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.OaepSHA256);

        var ex = await UnwrapFails(intakeKey, _vault.CurrentKeyId, wrapped);

        Assert.Equal(IntakeKeyFailure.Rejected, ex.Failure);
        Assert.Equal(400, Assert.IsType<KeyVaultRequestFailedException>(ex.InnerException).Status);
    }

    [Fact]
    public async Task Token_the_vault_does_not_accept_is_Unauthorized()
    {
        var other = new FakeTokenCredential();
        using var intakeKey = IntakeKey(other);

        var ex = await UnwrapFails(intakeKey, _vault.CurrentKeyId, WrappedUnderCurrent());

        Assert.Equal(IntakeKeyFailure.Unauthorized, ex.Failure);
        Assert.Equal(401, Assert.IsType<KeyVaultRequestFailedException>(ex.InnerException).Status);
        Assert.Single(other.Requests);
        Assert.Contains(_vault.Requests, r => r.Authorization == $"Bearer {other.Token}");
    }

    [Theory]
    [InlineData("https://other-vault.vault.azure.net/keys/intake/{0}")]
    [InlineData("https://tipintake-test.vault.azure.net/keys/other-key/{0}")]
    [InlineData("https://tipintake-test.vault.azure.net/keys/intake")]
    [InlineData("https://tipintake-test.vault.azure.net/keys/intake/{0}?api-version=7.5")]
    [InlineData("http://tipintake-test.vault.azure.net/keys/intake/{0}")]
    [InlineData("intake")]
    public async Task Kid_of_another_vault_or_key_is_KeyUnavailable_without_asking_the_vault(string kidFormat)
    {
        using var intakeKey = IntakeKey();
        var kid = string.Format(System.Globalization.CultureInfo.InvariantCulture, kidFormat, _vault.CurrentVersion);

        var ex = await UnwrapFails(intakeKey, kid, WrappedUnderCurrent());

        Assert.Equal(IntakeKeyFailure.KeyUnavailable, ex.Failure);
        Assert.Empty(_vault.Requests);
    }

    [Theory]
    [InlineData(404, IntakeKeyFailure.KeyUnavailable, null)]
    [InlineData(403, IntakeKeyFailure.KeyUnavailable, "KeyDisabled")]
    [InlineData(403, IntakeKeyFailure.Unauthorized, "ForbiddenByRbac")]
    [InlineData(403, IntakeKeyFailure.Unauthorized, null)]
    [InlineData(401, IntakeKeyFailure.Unauthorized, null)]
    [InlineData(400, IntakeKeyFailure.Rejected, null)]
    [InlineData(408, IntakeKeyFailure.Transient, null)]
    [InlineData(429, IntakeKeyFailure.Transient, null)]
    [InlineData(500, IntakeKeyFailure.Transient, null)]
    [InlineData(503, IntakeKeyFailure.Transient, null)]
    public void Classify_maps_statuses(int status, IntakeKeyFailure expected, string? innerCode)
    {
        Assert.Equal(expected, KeyVaultIntakeKey.Classify(new KeyVaultRequestFailedException(status, "x", "Code", innerCode)));
    }

    [Fact]
    public void Classify_maps_transport_failures_to_Transient()
    {
        Assert.Equal(IntakeKeyFailure.Transient, KeyVaultIntakeKey.Classify(new HttpRequestException("connection refused")));
        Assert.Equal(IntakeKeyFailure.Transient, KeyVaultIntakeKey.Classify(new TaskCanceledException("timeout")));
        Assert.Equal(IntakeKeyFailure.Unauthorized, KeyVaultIntakeKey.Classify(new Azure.Identity.AuthenticationFailedException("no token")));
    }
}
