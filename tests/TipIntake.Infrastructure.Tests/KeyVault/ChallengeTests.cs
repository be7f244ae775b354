using System.Security.Cryptography;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Tests.Support;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.KeyVault;

/// <summary>Challenge-based authentication against <see cref="FakeKeyVault"/>.</summary>
public class ChallengeTests
{
    [Fact]
    public async Task First_request_goes_without_token_or_body_and_later_requests_authenticate_at_once()
    {
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential);
        var client = KeyVaultTestHost.Client(vault);
        var cek = RandomNumberGenerator.GetBytes(32);
        var wrapped = KeyVaultTestHost.Wrap(vault, vault.CurrentVersion, cek);

        Assert.Equal(cek, await client.UnwrapKeyAsync(vault.KeyName, vault.CurrentVersion, "RSA-OAEP-256", wrapped, CancellationToken.None));
        Assert.Equal(cek, await client.UnwrapKeyAsync(vault.KeyName, vault.CurrentVersion, "RSA-OAEP-256", wrapped, CancellationToken.None));

        var requests = vault.Requests.ToList();
        Assert.Equal(3, requests.Count);
        Assert.Null(requests[0].Authorization);
        Assert.True(string.IsNullOrEmpty(requests[0].Body));
        Assert.All(requests.Skip(1), r => Assert.Equal($"Bearer {credential.Token}", r.Authorization));
        Assert.All(requests.Skip(1), r => Assert.False(string.IsNullOrEmpty(r.Body)));
        Assert.All(requests, r => Assert.Equal($"/keys/{vault.KeyName}/{vault.CurrentVersion}/unwrapKey", r.Path));
        var token = Assert.Single(credential.Requests);
        Assert.Equal(["https://vault.azure.net/.default"], token.Scopes);
        Assert.Equal(FakeKeyVault.TenantId, token.TenantId);
    }

    [Fact]
    public async Task Challenge_for_a_resource_outside_the_vault_domain_is_refused_without_asking_for_a_token()
    {
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential, resource: "https://evil.example.com");
        var client = KeyVaultTestHost.Client(vault, maxRetries: 2);
        var wrapped = KeyVaultTestHost.Wrap(vault, vault.CurrentVersion, RandomNumberGenerator.GetBytes(32));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => client.UnwrapKeyAsync(vault.KeyName, vault.CurrentVersion, "RSA-OAEP-256", wrapped, CancellationToken.None));

        Assert.Contains("evil.example.com", ex.Message, StringComparison.Ordinal);
        Assert.Empty(credential.Requests);
        var request = Assert.Single(vault.Requests);
        Assert.Null(request.Authorization);
        Assert.True(string.IsNullOrEmpty(request.Body));
        Assert.Equal(Core.Keys.IntakeKeyFailure.Unauthorized, KeyVaultIntakeKey.Classify(ex));

        // A second attempt must not have cached the refused challenge.
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetKeyAsync(vault.KeyName, null, CancellationToken.None));
        Assert.Empty(credential.Requests);
        Assert.All(vault.Requests, r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task Challenge_for_another_domain_is_followed_when_verification_is_disabled()
    {
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential, resource: "https://evil.example.com");
        var client = KeyVaultTestHost.Client(vault, configure: o => o.DisableChallengeResourceVerification = true);

        var key = await client.GetKeyAsync(vault.KeyName, null, CancellationToken.None);

        Assert.Equal(vault.CurrentKeyId, key.Id.ToString());
        var token = Assert.Single(credential.Requests);
        Assert.Equal(["https://evil.example.com/.default"], token.Scopes);
    }

    [Fact]
    public async Task Managed_HSM_challenge_is_accepted_and_asks_for_a_managedhsm_token()
    {
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential, vaultHost: "tipintake-test.managedhsm.azure.net", resource: "https://managedhsm.azure.net");
        var client = KeyVaultTestHost.Client(vault);
        var cek = RandomNumberGenerator.GetBytes(32);

        var key = await client.GetKeyAsync(vault.KeyName, null, CancellationToken.None);
        var unwrapped = await client.UnwrapKeyAsync(vault.KeyName, vault.CurrentVersion, "RSA-OAEP-256", KeyVaultTestHost.Wrap(vault, vault.CurrentVersion, cek), CancellationToken.None);

        Assert.Equal("https://tipintake-test.managedhsm.azure.net/keys/intake/" + vault.CurrentVersion, key.Id.ToString());
        Assert.Equal(cek, unwrapped);
        var token = Assert.Single(credential.Requests);
        Assert.Equal(["https://managedhsm.azure.net/.default"], token.Scopes);
        Assert.Equal(FakeKeyVault.TenantId, token.TenantId);
        Assert.Equal(3, vault.Requests.Count);
    }

    [Fact]
    public async Task Vault_challenge_does_not_pass_for_a_managed_HSM_host()
    {
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential, vaultHost: "tipintake-test.managedhsm.azure.net", resource: "https://vault.azure.net");
        var client = KeyVaultTestHost.Client(vault);

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetKeyAsync(vault.KeyName, null, CancellationToken.None));
        Assert.Empty(credential.Requests);
    }

    [Fact]
    public async Task Token_is_asked_for_the_resource_that_was_checked_never_for_an_unchecked_scope_beside_it()
    {
        // Found against a third-party emulator: resource passed the domain check while the token was asked for scope.
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential, challengeScope: "https://management.azure.com/.default");
        var client = KeyVaultTestHost.Client(vault);

        var key = await client.GetKeyAsync(vault.KeyName, null, CancellationToken.None);

        Assert.Equal(vault.CurrentKeyId, key.Id.ToString());
        var token = Assert.Single(credential.Requests);
        Assert.Equal(["https://vault.azure.net/.default"], token.Scopes);
    }

    [Fact]
    public async Task A_foreign_resource_is_refused_even_beside_a_vault_scope()
    {
        var credential = new FakeTokenCredential();
        using var vault = new FakeKeyVault(credential, resource: "https://management.azure.com", challengeScope: "https://vault.azure.net/.default");
        var client = KeyVaultTestHost.Client(vault);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetKeyAsync(vault.KeyName, null, CancellationToken.None));

        Assert.Contains("management.azure.com", ex.Message, StringComparison.Ordinal);
        Assert.Empty(credential.Requests);
    }

    [Fact]
    public void Http_vault_uri_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new KeyVaultKeysClient(new Uri("http://tipintake-test.vault.azure.net/"), new FakeTokenCredential()));
        Assert.Equal("vaultUri", ex.ParamName);
    }

    [Fact]
    public void Vault_uri_is_reduced_to_its_authority()
    {
        var client = new KeyVaultKeysClient(new Uri("https://tipintake-test.vault.azure.net/some/path"), new FakeTokenCredential());
        Assert.Equal(new Uri("https://tipintake-test.vault.azure.net/"), client.VaultUri);
    }

    [Fact]
    public void Challenge_with_scope_instead_of_resource_parses()
    {
        Assert.True(BearerChallenge.TryParse(
            "Bearer authorization_uri=\"https://login.microsoftonline.com/tenant-1\", scope=\"https://vault.azure.net/.default\"", out var challenge));

        Assert.Equal("tenant-1", challenge.TenantId);
        Assert.Equal(new Uri("https://vault.azure.net"), challenge.Resource);
        Assert.Equal("https://vault.azure.net/.default", challenge.Scope);
    }

    [Fact]
    public void Challenge_with_both_takes_the_scope_from_the_resource()
    {
        Assert.True(BearerChallenge.TryParse(
            "Bearer authorization=\"https://login.microsoftonline.com/tenant-1\", resource=\"https://vault.azure.net\", scope=\"https://management.azure.com/.default\"",
            out var challenge));

        Assert.Equal(new Uri("https://vault.azure.net"), challenge.Resource);
        Assert.Equal("https://vault.azure.net/.default", challenge.Scope);
    }

    [Theory]
    [InlineData("https://login.microsoftonline.com/tenant-1")]
    [InlineData("https://login.microsoftonline.com/tenant-1/")]
    [InlineData("https://login.microsoftonline.com/tenant-1/oauth2/authorize")]
    [InlineData("https://login.windows.net/tenant-1/oauth2/v2.0/authorize")]
    public void Tenant_is_the_first_segment_of_the_authority(string authority)
    {
        Assert.True(BearerChallenge.TryParse($"Bearer authorization_uri=\"{authority}\", resource=\"https://vault.azure.net\"", out var challenge));

        Assert.Equal("tenant-1", challenge.TenantId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic realm=\"vault\"")]
    [InlineData("PoP authorization=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\", resource=\"https://vault.azure.net\"")]
    [InlineData("Bearer resource=\"https://vault.azure.net\"")]
    [InlineData("Bearer authorization=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\"")]
    [InlineData("Bearer authorization=\"http://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\", resource=\"https://vault.azure.net\"")]
    [InlineData("Bearer authorization=\"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47\", resource=\"http://vault.azure.net\"")]
    [InlineData("Bearer authorization=\"https://login.microsoftonline.com/\", resource=\"https://vault.azure.net\"")]
    [InlineData("Bearer authorization=\"not a uri\", resource=\"https://vault.azure.net\"")]
    public void Unusable_challenges_are_rejected(string? header)
    {
        Assert.False(BearerChallenge.TryParse(header, out var challenge));
        Assert.Null(challenge);
    }
}
