using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests;

/// <summary>
/// The whole pipeline with the intake key in a (fake, in-process) Key Vault reached through the real Key Vault client:
/// intake key, rotation, disabled and deleted versions, and every failure ending where the design says.
/// </summary>
public sealed class KeyVaultPipelineTests : IAsyncLifetime, IDisposable
{
    private readonly FakeKeyVault _vault = new(new FakeTokenCredential());
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartWithKeyVaultAsync(
            _vault,
            new Dictionary<string, string>
            {
                ["AzureFunctionsJobHost:extensions:queues:maxDequeueCount"] = "2",

                // The worker reads the key's versions on this timer (never because of a request): the shortest allowed.
                ["KeyVault:PublicKeyRefreshInterval"] = "00:00:05",
            });

        // Until the worker has read the versions once, intake answers 503 (never "let through"): wait for that first
        // read, seen as a made-up version refused (422) — a check that asks the vault nothing.
        var jwk = await TestTips.GetIntakeKeyAsync(_host.Http);
        var probe = TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(TestTips.ValidTipJson("x")), h => h["kid"] = _vault.KeyIdOf(new string('f', 32)));
        await Eventually.HoldsAsync(
            async () =>
            {
                using var response = await TestTips.PostAsync(_host.Http, probe);
                return response.StatusCode == HttpStatusCode.UnprocessableEntity;
            },
            "the worker's first read of the key's versions");
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        AssertNoSecretsLogged();
    }

    public void Dispose() => _vault.Dispose();

    [Fact]
    public async Task Intake_key_is_the_vaults_current_version_served_as_a_WebCrypto_jwk()
    {
        var jwk = await TestTips.GetIntakeKeyAsync(_host.Http);

        Assert.Equal(_vault.CurrentKeyId, jwk.GetProperty("kid").GetString());
        Assert.Equal("RSA", jwk.GetProperty("kty").GetString());
        Assert.Equal("RSA-HSM", _vault.KeyType);
        Assert.Equal("RSA-OAEP-256", jwk.GetProperty("alg").GetString());
        Assert.Equal(_vault.PublicKeyOf(_vault.CurrentVersion).Modulus, Jose.Base64Url.Decode(jwk.GetProperty("n").GetString()!));
    }

    [Fact]
    public async Task Tip_is_unwrapped_by_Key_Vault_and_stored()
    {
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(marker, urgency: "soon", category: "detention"));

        using var response = await TestTips.PostAsync(_host.Http, jwe);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var tip = await _host.WaitForTipAsync(marker);
        Assert.Equal(_vault.CurrentKeyId, tip.GetString("KeyId"));
        Assert.Contains(_vault.Requests, r => r.Method == "POST" && r.Path.EndsWith("/unwrapKey", StringComparison.Ordinal) && r.Authorization is not null);
    }

    [Fact]
    public async Task Tips_under_an_older_version_still_process_after_the_key_rotates()
    {
        var oldVersion = _vault.CurrentVersion;
        var oldMarker = TestTips.NewMarker();
        var underOld = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(oldMarker));
        var newVersion = _vault.AddVersion();
        var newMarker = TestTips.NewMarker();
        var underNew = TestTips.Encrypt(JwkOf(newVersion), Encoding.UTF8.GetBytes(TestTips.ValidTipJson(newMarker)));
        await ReadVersionsAsync(); // what the refresher's timer does every KeyVault:PublicKeyRefreshInterval

        using var first = await TestTips.PostAsync(_host.Http, underOld);
        using var second = await TestTips.PostAsync(_host.Http, underNew);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(_vault.KeyIdOf(oldVersion), (await _host.WaitForTipAsync(oldMarker)).GetString("KeyId"));
        Assert.Equal(_vault.KeyIdOf(newVersion), (await _host.WaitForTipAsync(newMarker)).GetString("KeyId"));
    }

    [Fact]
    public async Task Tip_under_a_disabled_version_is_quarantined_whole_and_processes_when_replayed_after_re_enabling()
    {
        var version = _vault.CurrentVersion;
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(marker));
        _vault.AddVersion();
        _vault.SetEnabled(version, enabled: false);

        // A tip accepted before its version was disabled waits in the quarantine, still encrypted.
        await _host.InboundQueue.SendMessageAsync(BinaryData.FromBytes(EnvelopeFor(jwe)));
        var entry = await WaitForQuarantineAsync("key-unavailable");
        Assert.Equal(_vault.KeyIdOf(version), entry.GetString("KeyId"));
        Assert.Equal(1, entry.GetInt64("Attempts"));

        _vault.SetEnabled(version, enabled: true);
        await _host.InboundQueue.SendMessageAsync(BinaryData.FromBytes(entry.GetBinary("Message")));
        Assert.Equal(_vault.KeyIdOf(version), (await _host.WaitForTipAsync(marker)).GetString("KeyId"));
    }

    [Fact]
    public async Task Kid_of_a_disabled_or_deleted_version_is_refused_at_intake()
    {
        var disabled = _vault.AddVersion();
        var deleted = _vault.AddVersion();
        _vault.AddVersion();
        var underDisabled = TestTips.Encrypt(JwkOf(disabled), Encoding.UTF8.GetBytes(TestTips.ValidTipJson("x")));
        var underDeleted = TestTips.Encrypt(JwkOf(deleted), Encoding.UTF8.GetBytes(TestTips.ValidTipJson("x")));
        await ReadVersionsAsync();
        _vault.SetEnabled(disabled, enabled: false);
        _vault.Delete(deleted);
        await ReadVersionsAsync();

        using var first = await TestTips.PostAsync(_host.Http, underDisabled);
        using var second = await TestTips.PostAsync(_host.Http, underDeleted);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
    }

    [Fact]
    public async Task Tip_under_a_deleted_version_is_quarantined_not_retried()
    {
        var version = _vault.CurrentVersion;
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(TestTips.NewMarker()));
        _vault.AddVersion();
        _vault.Delete(version);

        await _host.InboundQueue.SendMessageAsync(BinaryData.FromBytes(EnvelopeFor(jwe)));

        var entry = await WaitForQuarantineAsync("key-unavailable");
        Assert.Equal(1, entry.GetInt64("Attempts"));
        Assert.Contains(jwe, Encoding.UTF8.GetString(entry.GetBinary("Message")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttled_unwrap_is_retried_after_Retry_After_and_the_tip_stored()
    {
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(marker));
        _vault.FailNext(FakeKeyVault.Fault.Throttled(TimeSpan.FromSeconds(1)));

        using var response = await TestTips.PostAsync(_host.Http, jwe);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _host.WaitForTipAsync(marker);
        Assert.Null(await TipJourneyTests.FirstAsync(_host.Quarantine.QueryAsync<TableEntity>()));
    }

    [Fact]
    public async Task Slow_vault_still_gets_the_tip_stored()
    {
        var marker = TestTips.NewMarker();
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(marker));
        _vault.Latency = TimeSpan.FromMilliseconds(400);

        using var response = await TestTips.PostAsync(_host.Http, jwe);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _host.WaitForTipAsync(marker);
    }

    [Theory]
    [InlineData("forbidden")]
    [InlineData("unauthorized")]
    [InlineData("throttled")]
    [InlineData("unavailable")]
    [InlineData("internal-error")]
    public async Task Vault_that_keeps_failing_sends_the_tip_through_the_poison_queue_into_quarantine(string failure)
    {
        var jwe = await TestTips.EncryptAsync(_host.Http, TestTips.ValidTipJson(TestTips.NewMarker()));
        _vault.PersistentFault = failure switch
        {
            "forbidden" => FakeKeyVault.Fault.Forbidden(),
            "unauthorized" => new FakeKeyVault.Fault(HttpStatusCode.Unauthorized, "Unauthorized", "AKV10032: Invalid issuer."),
            "throttled" => FakeKeyVault.Fault.Throttled(TimeSpan.Zero),
            "unavailable" => FakeKeyVault.Fault.Unavailable(),
            _ => FakeKeyVault.Fault.InternalError(),
        };

        using var response = await TestTips.PostAsync(_host.Http, jwe);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var entry = await WaitForQuarantineAsync("retries-exhausted");
        Assert.Contains(jwe, Encoding.UTF8.GetString(entry.GetBinary("Message")), StringComparison.Ordinal);
        Assert.Null(await TipJourneyTests.FirstAsync(_host.Tips.QueryAsync<TableEntity>()));
        if (failure is "forbidden" or "unauthorized")
        {
            // A permissions problem is a deployment error: it must be loud, and name no content.
            await _host.WaitForLogAsync(line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("refused this service", StringComparison.Ordinal), "the permissions error");
        }
    }

    [Fact]
    public async Task Kid_of_another_vault_or_key_is_refused_at_intake()
    {
        var jwk = await TestTips.GetIntakeKeyAsync(_host.Http);
        var tip = Encoding.UTF8.GetBytes(TestTips.ValidTipJson("x"));
        var kid = _vault.CurrentKeyId;

        foreach (var foreign in new[]
                 {
                     kid.Replace(_vault.VaultUri.Host, "other.vault.azure.net", StringComparison.Ordinal),
                     kid.Replace($"/keys/{_vault.KeyName}/", "/keys/another-key/", StringComparison.Ordinal),
                     kid[..kid.LastIndexOf('/')] + "/" + new string('0', 32),
                     kid + "/extra",
                 })
        {
            using var response = await TestTips.PostAsync(_host.Http, TestTips.Encrypt(jwk, tip, h => h["kid"] = foreign));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        }
    }

    [Fact]
    public async Task Submissions_naming_made_up_versions_cost_the_vault_nothing_with_or_without_a_stamp()
    {
        var jwk = await TestTips.GetIntakeKeyAsync(_host.Http);
        var tip = Encoding.UTF8.GetBytes(TestTips.ValidTipJson("x"));
        var before = _vault.Requests.Count;
        var madeUpVersions = new List<string>();

        for (var i = 0; i < 20; i++)
        {
            madeUpVersions.Add(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
            var madeUp = _vault.KeyIdOf(madeUpVersions[^1]);
            var jwe = TestTips.Encrypt(jwk, tip, h => h["kid"] = madeUp);
            using var stamped = await TestTips.PostAsync(_host.Http, jwe);
            using var unstamped = await TestTips.PostWithStampAsync(_host.Http, jwe, stamp: null);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, stamped.StatusCode);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, unstamped.StatusCode);
        }

        // Only the worker's timer spoke to the vault meanwhile (the version list, the current key): nothing named a made-up version.
        Assert.All(_vault.Requests.Skip(before), r =>
        {
            Assert.Equal("GET", r.Method);
            Assert.DoesNotContain(madeUpVersions, version => r.Path.Contains(version, StringComparison.Ordinal));
        });
    }

    /// <summary>
    /// Waits until the worker has read the key's versions twice more (its timer, every 5 s here): the second read began
    /// after this call, so it saw the vault as it is now.
    /// </summary>
    private async Task ReadVersionsAsync()
    {
        int Lists() => _vault.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/versions", StringComparison.Ordinal));
        var before = Lists();
        await Eventually.HoldsAsync(() => Task.FromResult(Lists() >= before + 2), "two more reads of the key's versions");
    }

    private JsonElement JwkOf(string version)
    {
        var key = _vault.PublicKeyOf(version);
        return JsonSerializer.SerializeToElement(new Dictionary<string, string>
        {
            ["kid"] = _vault.KeyIdOf(version),
            ["n"] = Jose.Base64Url.Encode(key.Modulus!),
            ["e"] = Jose.Base64Url.Encode(key.Exponent!),
        });
    }

    private static byte[] EnvelopeFor(string jwe) => JsonSerializer.SerializeToUtf8Bytes(
        new Core.Intake.TipEnvelope(1, Core.Intake.TipIntakeService.NewTipId(), Core.Intake.TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow), "hash", jwe),
        Core.Intake.EnvelopeJsonContext.Default.TipEnvelope);

    private async Task<TableEntity> WaitForQuarantineAsync(string reason) => await Eventually.ReturnsAsync(
        async () => await TipJourneyTests.FirstAsync(_host.Quarantine.QueryAsync<TableEntity>(e => e.PartitionKey == reason)),
        $"a {reason} quarantine entry");

    private void AssertNoSecretsLogged()
    {
        var logs = _host.Logs.All;
        Assert.DoesNotContain(_vault.Credential.Token, logs, StringComparison.Ordinal);
        var modulus = Jose.Base64Url.Encode(_vault.PublicKeyOf(_vault.CurrentVersion).Modulus!);
        Assert.DoesNotContain(modulus[..32], logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(_vault.PublicKeyOf(_vault.CurrentVersion).Modulus!)[..32], logs, StringComparison.Ordinal);
        Assert.DoesNotContain("MARKER-", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("\"value\"", logs, StringComparison.Ordinal);
    }
}
