using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jose;

namespace TipIntake.IntegrationTests;

/// <summary>Every client error is a specific RFC 7807 problem with the status docs/architecture.md gives it — never a 500.</summary>
public sealed class HttpErrorTests(HttpErrorTests.HostFixture fixture) : IClassFixture<HttpErrorTests.HostFixture>
{
    public static TheoryData<string, HttpStatusCode, string> BadSubmissions => new()
    {
        { "wrong-media-type", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type" },
        { "no-media-type", HttpStatusCode.UnsupportedMediaType, "unsupported-media-type" },
        { "empty", HttpStatusCode.BadRequest, "empty-body" },
        { "three-segments", HttpStatusCode.BadRequest, "not-compact-jwe" },
        { "not-base64url", HttpStatusCode.BadRequest, "invalid-base64url" },
        { "not-ascii", HttpStatusCode.BadRequest, "not-ascii" },
        { "too-large", HttpStatusCode.RequestEntityTooLarge, "too-large" },
        { "alg-rsa-oaep-sha1", HttpStatusCode.UnprocessableEntity, "unsupported-alg" },
        { "enc-a128gcm", HttpStatusCode.UnprocessableEntity, "unsupported-enc" },
        { "kid-other-vault", HttpStatusCode.UnprocessableEntity, "unsupported-kid" },
        { "kid-other-key", HttpStatusCode.UnprocessableEntity, "unsupported-kid" },
        { "kid-malformed", HttpStatusCode.UnprocessableEntity, "unsupported-kid" },
        { "kid-unknown-version", HttpStatusCode.UnprocessableEntity, "unsupported-kid" },
        { "cty-other", HttpStatusCode.UnprocessableEntity, "unsupported-cty" },
        { "zip-deflate", HttpStatusCode.UnprocessableEntity, "unsupported-header-parameter" },
        { "wrapped-with-2048-bit-key", HttpStatusCode.BadRequest, "invalid-encrypted-key" },
    };

    [Theory]
    [MemberData(nameof(BadSubmissions))]
    public async Task Bad_submission_gets_a_specific_problem(string shape, HttpStatusCode status, string code)
    {
        var (body, contentType) = await BuildAsync(shape);
        using var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        using var response = await fixture.Host.Http.PostAsync(new Uri("api/tips", UriKind.Relative), content);

        await AssertProblemAsync(response, status, code);
    }

    [Theory]
    [InlineData("GET", "api/tips", HttpStatusCode.NotFound, "not-found")]
    [InlineData("PUT", "api/tips", HttpStatusCode.MethodNotAllowed, "method-not-allowed")]
    [InlineData("POST", "api/intake-key", HttpStatusCode.MethodNotAllowed, "method-not-allowed")]
    [InlineData("GET", "api/no-such-thing", HttpStatusCode.NotFound, "not-found")]
    public async Task Wrong_route_or_method_gets_a_problem(string method, string path, HttpStatusCode status, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        using var response = await fixture.Host.Http.SendAsync(request);
        await AssertProblemAsync(response, status, code);
    }

    [Fact]
    public async Task Mangled_submissions_never_get_a_server_error()
    {
        var jwk = await TestTips.GetIntakeKeyAsync(fixture.Host.Http);
        var valid = TestTips.Encrypt(jwk, Encoding.UTF8.GetBytes(TestTips.ValidTipJson("A narrative.")));
        var random = new Random(20261128);
        const string Alphabet = "ABCxyz019-_.=+/ {}\"";
        var allowed = new[] { HttpStatusCode.Accepted, HttpStatusCode.BadRequest, HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.UnprocessableEntity };

        for (var i = 0; i < 150; i++)
        {
            var chars = valid.ToCharArray();
            var mangled = (i % 3) switch
            {
                0 => valid[..random.Next(valid.Length)],
                1 => Mutate(chars, random, Alphabet),
                _ => valid.Insert(random.Next(valid.Length), new string(Alphabet[random.Next(Alphabet.Length)], random.Next(1, 4))),
            };
            using var response = await TestTips.PostAsync(fixture.Host.Http, mangled);
            Assert.True(allowed.Contains(response.StatusCode), $"Case {i} answered {(int)response.StatusCode}.");
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }
    }

    [Fact]
    public async Task Refused_submissions_are_not_queued()
    {
        await using var host = await TestHost.StartAsync();
        var (body, contentType) = await BuildAsync("kid-other-vault", host.Http);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType!);

        using var response = await host.Http.PostAsync(new Uri("api/tips", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(0, (await host.InboundQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private static string Mutate(char[] chars, Random random, string alphabet)
    {
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:tipintake:problem:" + code, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    private Task<(byte[] Body, string? ContentType)> BuildAsync(string shape) => BuildAsync(shape, fixture.Host.Http);

    private static async Task<(byte[] Body, string? ContentType)> BuildAsync(string shape, HttpClient http)
    {
        var jwk = await TestTips.GetIntakeKeyAsync(http);
        var tip = Encoding.UTF8.GetBytes(TestTips.ValidTipJson("A narrative."));
        string Jose(Action<Dictionary<string, object>> edit) => TestTips.Encrypt(jwk, tip, edit);
        var ascii = (string text) => (Encoding.ASCII.GetBytes(text), (string?)"application/jose");
        var kid = jwk.GetProperty("kid").GetString()!;
        var version = kid[(kid.LastIndexOf('/') + 1)..];

        return shape switch
        {
            "wrong-media-type" => (Encoding.ASCII.GetBytes(Jose(_ => { })), "text/plain"),
            "no-media-type" => (Encoding.ASCII.GetBytes(Jose(_ => { })), null),
            "empty" => ascii(""),
            "three-segments" => ascii("eyJhbGciOiJub25lIn0.e30.abc"),
            "not-base64url" => ascii("a+b.c.d.e.f"),
            "not-ascii" => (Encoding.UTF8.GetBytes("ëyJ.a.b.c.d"), "application/jose"),
            "too-large" => ascii(new string('A', 200_000)),
            "alg-rsa-oaep-sha1" => ascii(EncryptWith(jwk, tip, JweAlgorithm.RSA_OAEP, JweEncryption.A256GCM, kid)),
            "enc-a128gcm" => ascii(EncryptWith(jwk, tip, JweAlgorithm.RSA_OAEP_256, JweEncryption.A128GCM, kid)),
            "kid-other-vault" => ascii(Jose(h => h["kid"] = $"https://attacker.vault.azure.net/keys/intake-dev/{version}")),
            "kid-other-key" => ascii(Jose(h => h["kid"] = kid.Replace("/keys/intake-dev/", "/keys/other-key/", StringComparison.Ordinal))),
            "kid-malformed" => ascii(Jose(h => h["kid"] = "intake-dev")),
            "kid-unknown-version" => ascii(Jose(h => h["kid"] = kid[..(kid.LastIndexOf('/') + 1)] + new string('a', 32))),
            "cty-other" => ascii(Jose(h => h["cty"] = "application/json")),
            "zip-deflate" => ascii(JWT.EncodeBytes(tip, TestTips.RsaFrom(jwk), JweAlgorithm.RSA_OAEP_256, JweEncryption.A256GCM, JweCompression.DEF,
                new Dictionary<string, object> { ["kid"] = kid, ["cty"] = TestTips.ContentType })),
            "wrapped-with-2048-bit-key" => ascii(EncryptWithForeignKey(tip, kid)),
            _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
        };
    }

    private static string EncryptWith(JsonElement jwk, byte[] tip, JweAlgorithm alg, JweEncryption enc, string kid) =>
        JWT.EncodeBytes(tip, TestTips.RsaFrom(jwk), alg, enc, extraHeaders: new Dictionary<string, object> { ["kid"] = kid, ["cty"] = TestTips.ContentType });

    private static string EncryptWithForeignKey(byte[] tip, string kid)
    {
        using var foreign = RSA.Create(2048);
        return JWT.EncodeBytes(tip, foreign, JweAlgorithm.RSA_OAEP_256, JweEncryption.A256GCM,
            extraHeaders: new Dictionary<string, object> { ["kid"] = kid, ["cty"] = TestTips.ContentType });
    }

    public sealed class HostFixture : IAsyncLifetime
    {
        public TestHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await TestHost.StartAsync();

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
