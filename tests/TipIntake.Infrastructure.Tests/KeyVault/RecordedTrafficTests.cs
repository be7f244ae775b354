using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Infrastructure.KeyVault;
using TipIntake.Infrastructure.Tests.Support;
using TipIntake.Testing;

namespace TipIntake.Infrastructure.Tests.KeyVault;

/// <summary>The client against real Key Vault traffic recorded by the official SDK's live tests (Fixtures/KeyVault).</summary>
public class RecordedTrafficTests
{
    private const string RecordedTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private static KeyVaultKeysClient ClientFor(RecordingReplayHandler replay, FakeTokenCredential credential) =>
        new(replay.VaultUri, credential, KeyVaultTestHost.ClientOptions(replay.Transport()));

    private static byte[] FromBase64Url(JsonNode? node)
    {
        Assert.True(JoseBase64.TryDecode((string)node!, out var bytes));
        return bytes;
    }

    [Fact]
    public async Task WrapUnwrapRoundTrip_unwrap_sends_the_recorded_body_after_an_empty_challenge_request_and_returns_the_recorded_key()
    {
        using var replay = RecordingReplayHandler.Load("WrapUnwrapRoundTrip(RSA-OAEP-256).json");
        var credential = new FakeTokenCredential();
        var client = ClientFor(replay, credential);
        const string name = "930144587";
        const string version = "a7249a68ce814e3db3151b54c44aab34";
        var path = $"/keys/{name}/{version}/unwrapKey";
        var recorded = replay.Entry("POST", path);
        var wrapped = FromBase64Url(recorded["RequestBody"]!["value"]);
        var expected = FromBase64Url(recorded["ResponseBody"]!["value"]);
        Assert.Equal(256, wrapped.Length);
        Assert.Equal(0, wrapped[0]); // the recorded value keeps its leading zero byte: it must be sent as is

        var unwrapped = await client.UnwrapKeyAsync(name, version, "RSA-OAEP-256", wrapped, CancellationToken.None);

        Assert.Empty(replay.Mismatches);
        Assert.Equal(expected, unwrapped);
        Assert.Equal(32, unwrapped.Length);
        var requests = replay.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(("POST", path), (r.Method, r.Path)));
        Assert.Null(requests[0].Authorization);
        Assert.True(string.IsNullOrEmpty(requests[0].Body), "the first, unauthenticated request must not carry the wrapped key");
        Assert.Equal($"Bearer {credential.Token}", requests[1].Authorization);
        Assert.True(JsonNode.DeepEquals(recorded["RequestBody"], JsonNode.Parse(requests[1].Body!)));
        Assert.All(requests, r => Assert.Equal("?api-version=" + KeyVaultKeysClient.ApiVersion, r.Query));

        var token = Assert.Single(credential.Requests);
        Assert.Equal(["https://vault.azure.net/.default"], token.Scopes);
        Assert.Equal(RecordedTenant, token.TenantId);
    }

    [Fact]
    public async Task GetRsaHsmKey_latest_version_is_read_and_the_challenge_is_cached()
    {
        using var replay = RecordingReplayHandler.Load("GetRsaHsmKey.json");
        var credential = new FakeTokenCredential();
        var client = ClientFor(replay, credential);
        var recorded = replay.Entry("GET", "/keys/585361501/")["ResponseBody"]!["key"]!;

        var key = await client.GetKeyAsync("585361501", version: null, CancellationToken.None);

        Assert.Empty(replay.Mismatches);
        Assert.Equal("RSA-HSM", key.KeyType);
        Assert.True(key.IsRsa);
        Assert.True(key.Enabled);
        Assert.Equal((string)recorded["kid"]!, key.Id.ToString());
        Assert.Equal("27d8e79f93814f7fa004af8e4d20f6f9", key.Version);
        Assert.Equal(FromBase64Url(recorded["n"]), key.Modulus);
        Assert.Equal(new byte[] { 1, 0, 1 }, key.Exponent);
        Assert.Contains("unwrapKey", key.Operations);
        Assert.Null(key.NotBefore);
        Assert.Null(key.Expires);

        var again = await client.GetKeyAsync("585361501", version: null, CancellationToken.None);

        Assert.Equal(key.Id, again.Id);
        var requests = replay.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, r => Assert.Equal(("GET", "/keys/585361501/"), (r.Method, r.Path)));
        Assert.Null(requests[0].Authorization);
        Assert.True(string.IsNullOrEmpty(requests[0].Body));
        Assert.Equal($"Bearer {credential.Token}", requests[1].Authorization);
        Assert.Equal($"Bearer {credential.Token}", requests[2].Authorization);
        var token = Assert.Single(credential.Requests);
        Assert.Equal(["https://vault.azure.net/.default"], token.Scopes);
        Assert.Equal(RecordedTenant, token.TenantId);
    }

    [Fact]
    public async Task GetRsaHsmKey_is_served_as_an_importable_RSA_OAEP_256_jwk()
    {
        using var replay = RecordingReplayHandler.Load("GetRsaHsmKey.json");
        var client = ClientFor(replay, new FakeTokenCredential());
        using var intakeKey = KeyVaultTestHost.IntakeKey(client, "585361501");
        var recorded = replay.Entry("GET", "/keys/585361501/")["ResponseBody"]!["key"]!;

        var publicKey = await intakeKey.GetPublicKeyAsync(CancellationToken.None);

        Assert.Empty(replay.Mismatches);
        var jwk = JsonNode.Parse(JsonSerializer.Serialize(publicKey))!;
        Assert.Equal("RSA", (string)jwk["kty"]!);
        Assert.Equal("RSA-OAEP-256", (string)jwk["alg"]!);
        Assert.Equal((string)recorded["kid"]!, (string)jwk["kid"]!);
        Assert.Contains("encrypt", jwk["key_ops"]!.AsArray().Select(o => (string)o!));
        Assert.Equal((string)recorded["n"]!, (string)jwk["n"]!);
        Assert.Equal("AQAB", (string)jwk["e"]!);
        Assert.Equal(256, publicKey.ModulusLength);

        using var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters { Modulus = FromBase64Url(jwk["n"]), Exponent = FromBase64Url(jwk["e"]) });
        Assert.Equal(2048, rsa.KeySize);
        var ciphertext = rsa.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.OaepSHA256);
        Assert.Equal(256, ciphertext.Length);
        Assert.Equal(KeyVersionCheck.Accepted(256), intakeKey.CheckKeyVersion((string)recorded["kid"]!));
        Assert.Equal(2, replay.Requests.Count); // the current version is known from the GET: no further request
    }

    [Fact]
    public async Task GetKeyNonExisting_surfaces_404_KeyNotFound_classified_as_KeyUnavailable()
    {
        using var replay = RecordingReplayHandler.Load("GetKeyNonExisting.json");
        var client = ClientFor(replay, new FakeTokenCredential());

        var ex = await Assert.ThrowsAsync<KeyVaultRequestFailedException>(() => client.GetKeyAsync("1328178650", null, CancellationToken.None));

        Assert.Empty(replay.Mismatches);
        Assert.Equal(404, ex.Status);
        Assert.Equal("KeyNotFound", ex.ErrorCode);
        Assert.Null(ex.InnerErrorCode);
        Assert.Equal(IntakeKeyFailure.KeyUnavailable, KeyVaultIntakeKey.Classify(ex));
        Assert.Equal(2, replay.Requests.Count);

        using var intakeKey = KeyVaultTestHost.IntakeKey(client, "1328178650");
        var failure = await Assert.ThrowsAsync<IntakeKeyException>(async () => await intakeKey.GetPublicKeyAsync(CancellationToken.None));
        Assert.Equal(IntakeKeyFailure.KeyUnavailable, failure.Failure);
    }

    [Fact]
    public async Task Replay_refuses_a_body_that_differs_from_the_recording()
    {
        using var replay = RecordingReplayHandler.Load("WrapUnwrapRoundTrip(RSA-OAEP-256).json");
        var client = ClientFor(replay, new FakeTokenCredential());
        var recorded = replay.Entry("POST", "/keys/930144587/a7249a68ce814e3db3151b54c44aab34/unwrapKey");
        var wrapped = FromBase64Url(recorded["RequestBody"]!["value"]);

        var ex = await Assert.ThrowsAsync<KeyVaultRequestFailedException>(
            () => client.UnwrapKeyAsync("930144587", "a7249a68ce814e3db3151b54c44aab34", "RSA-OAEP", wrapped, CancellationToken.None));

        Assert.Equal(400, ex.Status);
        Assert.Contains("differs from the recorded", Assert.Single(replay.Mismatches), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/keys/930144587/a7249a68ce814e3db3151b54c44aab34/unwrapkey")]
    [InlineData("GET", "/keys/930144587/a7249a68ce814e3db3151b54c44aab34/unwrapKey")]
    [InlineData("POST", "/keys/930144587/a7249a68ce814e3db3151b54c44aab34/decrypt")]
    public async Task Replay_refuses_a_method_or_path_that_was_not_recorded(string method, string path)
    {
        using var replay = RecordingReplayHandler.Load("WrapUnwrapRoundTrip(RSA-OAEP-256).json");
        using var http = new HttpClient(replay, disposeHandler: false);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(replay.VaultUri, path + "?api-version=7.5"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "token");

        using var response = await http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no recorded authorised", Assert.Single(replay.Mismatches), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EncryptLocalDecryptOnKeyVault(RSA-OAEP-256).json")]
    [InlineData("WrapUnwrapRoundTrip(RSA-OAEP-256).json")]
    [InlineData("GetRsaHsmKey.json")]
    [InlineData("GetKeyNonExisting.json")]
    public void Recorded_challenge_parses(string recording)
    {
        using var replay = RecordingReplayHandler.Load(recording);

        Assert.True(BearerChallenge.TryParse(replay.ChallengeHeader, out var challenge));

        Assert.Equal(RecordedTenant, challenge.TenantId);
        Assert.Equal(new Uri("https://login.microsoftonline.com/" + RecordedTenant), challenge.Authority);
        Assert.Equal(new Uri("https://vault.azure.net"), challenge.Resource);
        Assert.Equal("https://vault.azure.net/.default", challenge.Scope);
    }

    [Fact]
    public void Recordings_are_the_verbatim_copies_the_readme_describes()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "KeyVault");
        var sizes = new Dictionary<string, long>
        {
            ["EncryptLocalDecryptOnKeyVault(RSA-OAEP-256).json"] = 6622,
            ["WrapUnwrapRoundTrip(RSA-OAEP-256).json"] = 8775,
            ["GetRsaHsmKey.json"] = 6774,
            ["GetKeyNonExisting.json"] = 3531,
        };

        foreach (var (file, size) in sizes)
        {
            Assert.Equal(size, new FileInfo(Path.Combine(directory, file)).Length);
        }
    }
}
