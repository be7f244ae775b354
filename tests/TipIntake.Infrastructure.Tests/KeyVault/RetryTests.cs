using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using TipIntake.Core.Keys;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Tests.Support;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.KeyVault;

/// <summary>Azure.Core's retry under the client: Retry-After, persistent faults, network timeout.</summary>
public class RetryTests
{
    public static TheoryData<string> RetryAfterFaults => ["429", "503"];

    private static FakeKeyVault.Fault FaultFor(string status) => status switch
    {
        "429" => FakeKeyVault.Fault.Throttled(TimeSpan.FromSeconds(1)),
        "503" => FakeKeyVault.Fault.Unavailable(TimeSpan.FromSeconds(1)),
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    [Theory]
    [MemberData(nameof(RetryAfterFaults))]
    public async Task Retry_after_is_honoured_and_the_call_then_succeeds(string status)
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());
        var client = KeyVaultTestHost.Client(vault, maxRetries: 3);
        await client.GetKeyAsync(vault.KeyName, null, CancellationToken.None); // the challenge is behind us
        var cek = RandomNumberGenerator.GetBytes(32);
        var wrapped = KeyVaultTestHost.Wrap(vault, vault.CurrentVersion, cek);
        vault.FailNext(FaultFor(status));

        var stopwatch = Stopwatch.StartNew();
        var unwrapped = await client.UnwrapKeyAsync(vault.KeyName, vault.CurrentVersion, "RSA-OAEP-256", wrapped, CancellationToken.None);
        stopwatch.Stop();

        Assert.Equal(cek, unwrapped);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(900), $"the retry came after {stopwatch.Elapsed}, before Retry-After");
        Assert.Equal(2, vault.AuthorisedRequests("POST"));
        Assert.All(vault.Requests.Where(r => r.Method == "POST"), r => Assert.False(string.IsNullOrEmpty(r.Body)));
    }

    [Fact]
    public async Task Retry_after_on_the_first_authorised_request_keeps_the_body_for_the_retry()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());
        var client = KeyVaultTestHost.Client(vault, maxRetries: 3);
        var cek = RandomNumberGenerator.GetBytes(32);
        vault.FailNext(FakeKeyVault.Fault.Unavailable());

        var unwrapped = await client.UnwrapKeyAsync(vault.KeyName, vault.CurrentVersion, "RSA-OAEP-256", KeyVaultTestHost.Wrap(vault, vault.CurrentVersion, cek), CancellationToken.None);

        Assert.Equal(cek, unwrapped);
        var requests = vault.Requests.ToList();
        Assert.Equal(3, requests.Count); // challenge, 503, success
        Assert.True(string.IsNullOrEmpty(requests[0].Body));
        Assert.Equal(requests[1].Body, requests[2].Body);
    }

    [Fact]
    public async Task Persistent_429_fails_after_the_configured_retries_and_is_transient()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());
        var client = KeyVaultTestHost.Client(vault, maxRetries: 1);
        vault.PersistentFault = FakeKeyVault.Fault.Throttled(TimeSpan.Zero) with { RetryAfter = null };

        var ex = await Assert.ThrowsAsync<KeyVaultRequestFailedException>(() => client.GetKeyAsync(vault.KeyName, null, CancellationToken.None));

        Assert.Equal(429, ex.Status);
        Assert.Equal("Throttled", ex.ErrorCode);
        Assert.Equal(IntakeKeyFailure.Transient, KeyVaultIntakeKey.Classify(ex));
        Assert.Equal(2, vault.AuthorisedRequests("GET")); // the call and one retry
    }

    [Fact]
    public async Task Persistent_500_is_transient()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());
        var client = KeyVaultTestHost.Client(vault, maxRetries: 2);
        vault.PersistentFault = FakeKeyVault.Fault.InternalError();
        using var intakeKey = KeyVaultTestHost.IntakeKey(client, vault.KeyName);
        var wrapped = KeyVaultTestHost.Wrap(vault, vault.CurrentVersion, RandomNumberGenerator.GetBytes(32));

        var ex = await Assert.ThrowsAsync<KeyVaultRequestFailedException>(() => client.GetKeyAsync(vault.KeyName, null, CancellationToken.None));
        var failure = await Assert.ThrowsAsync<IntakeKeyException>(async () => await intakeKey.UnwrapAsync(vault.CurrentKeyId, wrapped, CancellationToken.None));

        Assert.Equal(500, ex.Status);
        Assert.Equal(IntakeKeyFailure.Transient, KeyVaultIntakeKey.Classify(ex));
        Assert.Equal(IntakeKeyFailure.Transient, failure.Failure);
        Assert.Equal(3 + 3, vault.AuthorisedRequests("GET") + vault.AuthorisedRequests("POST"));
    }

    [Fact]
    public async Task Vault_slower_than_the_network_timeout_fails_with_a_transient_timeout()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential()) { Latency = TimeSpan.FromSeconds(30) };
        var client = KeyVaultTestHost.Client(vault, maxRetries: 0, configure: o => o.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(200));
        using var intakeKey = KeyVaultTestHost.IntakeKey(client, vault.KeyName);
        var wrapped = KeyVaultTestHost.Wrap(vault, vault.CurrentVersion, RandomNumberGenerator.GetBytes(32));

        var stopwatch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => client.GetKeyAsync(vault.KeyName, null, CancellationToken.None));
        var failure = await Assert.ThrowsAsync<IntakeKeyException>(async () => await intakeKey.UnwrapAsync(vault.CurrentKeyId, wrapped, CancellationToken.None));
        stopwatch.Stop();

        Assert.True(ex is OperationCanceledException or AggregateException { InnerException: OperationCanceledException }, ex.ToString());
        Assert.Contains("timeout", ex.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(IntakeKeyFailure.Transient, KeyVaultIntakeKey.Classify(ex));
        Assert.Equal(IntakeKeyFailure.Transient, failure.Failure);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}: the network timeout did not apply");
    }

    [Fact]
    public async Task Caller_cancellation_is_not_turned_into_an_intake_key_failure()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential()) { Latency = TimeSpan.FromSeconds(30) };
        var client = KeyVaultTestHost.Client(vault);
        using var intakeKey = KeyVaultTestHost.IntakeKey(client, vault.KeyName);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        // The caller gave up: that is not a Key Vault failure, so no IntakeKeyException.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await intakeKey.GetPublicKeyAsync(cts.Token));

        Assert.True(cts.IsCancellationRequested);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Unreachable_vault_is_transient(int maxRetries)
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());
        using var unreachable = new KeyBundleRewriter(vault, _ => { }) { Throw = new HttpRequestException("Connection refused (tipintake-test.vault.azure.net:443)") };
        var client = new KeyVaultKeysClient(vault.VaultUri, vault.Credential, KeyVaultTestHost.ClientOptions(unreachable.Transport(), maxRetries));
        using var intakeKey = KeyVaultTestHost.IntakeKey(client, vault.KeyName);
        var wrapped = KeyVaultTestHost.Wrap(vault, vault.CurrentVersion, RandomNumberGenerator.GetBytes(32));

        var unwrap = await Assert.ThrowsAsync<IntakeKeyException>(async () => await intakeKey.UnwrapAsync(vault.CurrentKeyId, wrapped, CancellationToken.None));
        var publicKey = await Assert.ThrowsAsync<IntakeKeyException>(async () => await intakeKey.GetPublicKeyAsync(CancellationToken.None));

        Assert.Equal(IntakeKeyFailure.Transient, unwrap.Failure);
        Assert.Equal(IntakeKeyFailure.Transient, publicKey.Failure);
        Assert.False(await intakeKey.RefreshVersionsAsync(CancellationToken.None));
        Assert.Equal(KeyVersionState.Unknown, intakeKey.CheckKeyVersion(vault.CurrentKeyId).State);
        Assert.Empty(vault.Requests);
    }

    [Fact]
    public async Task Proxy_error_page_is_a_transient_failure_with_its_status()
    {
        using var vault = new FakeKeyVault(new FakeTokenCredential());
        using var proxy = new KeyBundleRewriter(vault, _ => { }) { Answer = (HttpStatusCode.BadGateway, "text/html", "<html><body>502 Bad Gateway</body></html>") };
        var client = new KeyVaultKeysClient(vault.VaultUri, vault.Credential, KeyVaultTestHost.ClientOptions(proxy.Transport()));

        var ex = await Assert.ThrowsAsync<KeyVaultRequestFailedException>(() => client.GetKeyAsync(vault.KeyName, null, CancellationToken.None));

        Assert.Equal(502, ex.Status);
        Assert.Null(ex.ErrorCode);
        Assert.Equal(IntakeKeyFailure.Transient, KeyVaultIntakeKey.Classify(ex));
    }
}
