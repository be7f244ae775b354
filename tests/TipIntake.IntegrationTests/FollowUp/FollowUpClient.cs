using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace TipIntake.IntegrationTests.FollowUp;

/// <summary>
/// A reporter's follow-up, made as a browser makes it (docs/follow-up.md, "Keys: one code, split by a KDF"), written
/// here from the document with the framework's primitives — not with the service's own code: a random <c>V</c>,
/// <c>M</c> by PBKDF2, <c>L</c> and <c>W</c> by HKDF, a P-256 key pair whose private JWK is sealed under <c>W</c>.
/// </summary>
public sealed class FollowUpClient
{
    private FollowUpClient(byte[] value, byte[] lookup, byte[] sealingKey, JsonObject publicJwk, string sealedKey)
    {
        Letters = Core.FollowUp.FollowUpCode.FormatLetters(value);
        Digits = Core.FollowUp.FollowUpCode.FormatDigits(value);
        Lookup = Base64Url.EncodeToString(lookup);
        SealingKey = sealingKey;
        PublicJwk = publicJwk;
        SealedKey = sealedKey;
    }

    /// <summary>The code in its letters form, as the receipt shows it (what the no-script page is given).</summary>
    public string Letters { get; }

    /// <summary>The code in its digits form.</summary>
    public string Digits { get; }

    /// <summary><c>L</c>, 43 characters.</summary>
    public string Lookup { get; }

    /// <summary><c>W</c>: never sent.</summary>
    public byte[] SealingKey { get; }

    public JsonObject PublicJwk { get; }

    public string SealedKey { get; }

    /// <summary>The RFC 7638 thumbprint of the public key.</summary>
    public string Thumbprint => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(
        $$"""{"crv":"P-256","kty":"EC","x":"{{PublicJwk["x"]}}","y":"{{PublicJwk["y"]}}"}""")));

    public static FollowUpClient New()
    {
        var value = RandomNumberGenerator.GetBytes(12);
        value[0] &= 0x03;
        var master = Rfc2898DeriveBytes.Pbkdf2(value, "tipintake/follow-up/v1"u8.ToArray(), 600_000, HashAlgorithmName.SHA256, 32);
        var lookup = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, [], "tipintake/follow-up/lookup/v1"u8.ToArray());
        var sealing = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, [], "tipintake/follow-up/seal/v1"u8.ToArray());

        using var reporter = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var key = reporter.ExportParameters(includePrivateParameters: true);
        string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
        var privateJwk = Encoding.ASCII.GetBytes($$"""{"crv":"P-256","d":"{{B64(key.D!)}}","kty":"EC","x":"{{B64(key.Q.X!)}}","y":"{{B64(key.Q.Y!)}}"}""");
        Assert.Equal(176, privateJwk.Length);

        var sealedKey = new byte[12 + privateJwk.Length + 16];
        RandomNumberGenerator.Fill(sealedKey.AsSpan(0, 12));
        using (var aes = new AesGcm(sealing, 16))
        {
            aes.Encrypt(sealedKey.AsSpan(0, 12), privateJwk, sealedKey.AsSpan(12, privateJwk.Length), sealedKey.AsSpan(12 + privateJwk.Length), "tipintake/follow-up/sealed-key/v1"u8);
        }

        var publicJwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = B64(key.Q.X!), ["y"] = B64(key.Q.Y!) };
        return new FollowUpClient(value, lookup, sealing, publicJwk, B64(sealedKey));
    }

    /// <summary>A lookup token no code makes: what a wrong code's <c>L</c> is, as far as the server can tell.</summary>
    public static string RandomLookup() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The tip's <c>followUp</c> member.</summary>
    public JsonObject Member() => new()
    {
        ["v"] = 1,
        ["lookup"] = Lookup,
        ["key"] = PublicJwk.DeepClone(),
        ["sealedKey"] = SealedKey,
    };

    /// <summary>A valid tip (schema v1) carrying <paramref name="followUp"/>, with <paramref name="marker"/> in its narrative.</summary>
    public static string TipJson(string marker, JsonNode? followUp) => new JsonObject
    {
        ["category"] = "detention",
        ["narrative"] = $"세 명이 도문 구류소에 있습니다. {marker}",
        ["urgency"] = "soon",
        ["language"] = "ko",
        ["followUp"] = followUp,
        ["padding"] = new string(' ', 64),
    }.ToJsonString();

    /// <summary>Whether <paramref name="sealedKey"/> opens under this code's <c>W</c>: only the reporter's own does.</summary>
    public bool Opens(string sealedKey)
    {
        var bytes = Base64Url.DecodeFromChars(sealedKey);
        var plaintext = new byte[bytes.Length - 28];
        using var aes = new AesGcm(SealingKey, 16);
        try
        {
            aes.Decrypt(bytes.AsSpan(0, 12), bytes.AsSpan(12, plaintext.Length), bytes.AsSpan(12 + plaintext.Length), plaintext, "tipintake/follow-up/sealed-key/v1"u8);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    /// <summary>A lookup request, with a stamp when one is given.</summary>
    public static HttpRequestMessage LookupRequest(string lookup, string? stamp)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/follow-up/lookup", UriKind.Relative))
        {
            Content = new StringContent($$"""{"v":1,"lookup":"{{lookup}}"}""", Encoding.UTF8),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (stamp is not null)
        {
            request.Headers.TryAddWithoutValidation(TestTips.StampHeader, stamp);
        }

        return request;
    }
}
