using System.Security.Cryptography;
using System.Text.Json;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;

namespace TipIntake.Core.Tests.Keys;

public sealed class IntakePublicKeyTests
{
    [Fact]
    public void Modulus_length_ignores_a_leading_zero_byte()
    {
        using var rsa = RSA.Create(3072);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        var withLeadingZero = new byte[parameters.Modulus!.Length + 1];
        parameters.Modulus.CopyTo(withLeadingZero, 1);

        var plain = new IntakePublicKey("kid", JoseBase64.Encode(parameters.Modulus), "AQAB");
        var padded = new IntakePublicKey("kid", JoseBase64.Encode(withLeadingZero), "AQAB");

        Assert.Equal(384, plain.ModulusLength);
        Assert.Equal(384, padded.ModulusLength);
    }

    [Fact]
    public void Serialises_as_a_jwk_WebCrypto_can_import_for_RSA_OAEP_256()
    {
        var key = new IntakePublicKey("https://v.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef", "AQAB", "AQAB");

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(key));
        var root = json.RootElement;

        Assert.Equal("RSA", root.GetProperty("kty").GetString());
        Assert.Equal("RSA-OAEP-256", root.GetProperty("alg").GetString());
        Assert.Contains("encrypt", root.GetProperty("key_ops").EnumerateArray().Select(e => e.GetString()));
        Assert.False(root.TryGetProperty("ModulusLength", out _));
        Assert.False(root.TryGetProperty("d", out _));
    }
}
