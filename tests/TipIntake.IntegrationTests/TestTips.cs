using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Jose;

namespace TipIntake.IntegrationTests;

/// <summary>
/// Builds submissions the way an independent client would: it fetches the intake key over HTTP and encrypts with
/// jose-jwt, a JOSE library that is not the service's own code.
/// </summary>
public static class TestTips
{
    public const string ContentType = "application/vnd.tipintake.tip.v1+json";

    /// <summary>A marker that must appear in the Tips table and nowhere else: not in logs, not in the queue in clear.</summary>
    public static string NewMarker() => "MARKER-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    public static string ValidTipJson(string narrative, string urgency = "imminent", string category = "forced-repatriation") =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["category"] = category,
            ["narrative"] = narrative,
            ["urgency"] = urgency,
            ["location"] = new Dictionary<string, string> { ["country"] = "CN", ["region"] = "Jilin", ["place"] = "Tumen detention centre" },
            ["observed"] = new Dictionary<string, string> { ["from"] = "2026-11-01", ["to"] = "2026-11-20" },
            ["peopleCount"] = 3,
            ["language"] = "ko",
            ["padding"] = new string(' ', 100),
        });

    public static async Task<JsonElement> GetIntakeKeyAsync(HttpClient http) =>
        await http.GetFromJsonAsync<JsonElement>("api/intake-key");

    public static async Task<string> EncryptAsync(HttpClient http, string plaintext, Action<Dictionary<string, object>>? editHeaders = null)
    {
        var jwk = await GetIntakeKeyAsync(http);
        return Encrypt(jwk, Encoding.UTF8.GetBytes(plaintext), editHeaders);
    }

    public static string Encrypt(JsonElement jwk, byte[] plaintext, Action<Dictionary<string, object>>? editHeaders = null)
    {
        using var rsa = RsaFrom(jwk);
        var headers = new Dictionary<string, object>
        {
            ["kid"] = jwk.GetProperty("kid").GetString()!,
            ["cty"] = ContentType,
        };
        editHeaders?.Invoke(headers);
        return JWT.EncodeBytes(plaintext, rsa, JweAlgorithm.RSA_OAEP_256, JweEncryption.A256GCM, extraHeaders: headers);
    }

    /// <summary>The public key of a JWK as an <see cref="RSA"/> object, for JOSE libraries that take one.</summary>
    public static RSA RsaFrom(JsonElement jwk)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = Base64Url.Decode(jwk.GetProperty("n").GetString()!),
            Exponent = Base64Url.Decode(jwk.GetProperty("e").GetString()!),
        });
        return rsa;
    }

    /// <summary>The header that carries the proof-of-work stamp (docs/flood-control.md).</summary>
    public const string StampHeader = "TipIntake-Stamp";

    /// <summary>The header that makes a resend of the same JWE collapse onto the first attempt.</summary>
    public const string SubmissionHeader = "TipIntake-Submission";

    /// <summary>
    /// Posts a submission with a freshly fetched and solved stamp, as any client must, and with
    /// <paramref name="submissionId"/> in <c>TipIntake-Submission</c> when given.
    /// </summary>
    public static async Task<HttpResponseMessage> PostAsync(
        HttpClient http, string body, string contentType = "application/jose", string? submissionId = null) =>
        await PostWithStampAsync(http, body, await SolveChallengeAsync(http), contentType, submissionId);

    /// <summary>Posts a submission with <paramref name="stamp"/> as it is, or with no stamp header when null.</summary>
    public static async Task<HttpResponseMessage> PostWithStampAsync(
        HttpClient http, string body, string? stamp, string contentType = "application/jose", string? submissionId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/tips", UriKind.Relative));
        request.Content = new StringContent(body, Encoding.ASCII);
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        if (stamp is not null)
        {
            request.Headers.TryAddWithoutValidation(StampHeader, stamp);
        }

        if (submissionId is not null)
        {
            request.Headers.TryAddWithoutValidation(SubmissionHeader, submissionId);
        }

        return await http.SendAsync(request);
    }

    /// <summary>Fetches <c>GET /api/challenge</c> and solves it the way docs/flood-control.md describes.</summary>
    public static async Task<string> SolveChallengeAsync(HttpClient http)
    {
        var challenge = await http.GetFromJsonAsync<JsonElement>("api/challenge");
        return Solve(challenge.GetProperty("challenge").GetString()!, challenge.GetProperty("difficulty").GetInt32());
    }

    /// <summary>
    /// The first counter from 0 such that SHA-256 over the ASCII of "challenge:counter" has enough leading zero bits
    /// (and, with <paramref name="below"/>, fewer than that many: a stamp that pays the challenge but not a higher floor).
    /// </summary>
    public static string Solve(string challenge, int difficulty, int below = int.MaxValue)
    {
        for (long counter = 0; ; counter++)
        {
            var stamp = $"{challenge}:{counter}";
            var bits = LeadingZeroBits(SHA256.HashData(Encoding.ASCII.GetBytes(stamp)));
            if (bits >= difficulty && bits < below)
            {
                return stamp;
            }
        }
    }

    public static int LeadingZeroBits(byte[] hash)
    {
        var bits = 0;
        while (bits < hash.Length * 8 && (hash[bits / 8] & (0x80 >> (bits % 8))) == 0)
        {
            bits++;
        }

        return bits;
    }
}
