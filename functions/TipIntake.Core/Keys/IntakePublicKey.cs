namespace TipIntake.Core.Keys;

/// <summary>
/// The public JWK of contract 1, shaped so WebCrypto's <c>importKey("jwk", …, {name: "RSA-OAEP", hash: "SHA-256"})</c>
/// accepts it: <c>kty</c> "RSA" (never "RSA-HSM"), <c>alg</c> "RSA-OAEP-256", and <c>key_ops</c> that include the usages asked for.
/// </summary>
public sealed record IntakePublicKey(
    [property: JsonPropertyName("kid")] string KeyId,
    [property: JsonPropertyName("n")] string Modulus,
    [property: JsonPropertyName("e")] string Exponent)
{
    [JsonPropertyName("kty")]
    public string KeyType { get; init; } = "RSA";

    [JsonPropertyName("alg")]
    public string Algorithm { get; init; } = Jwe.JweAlgorithms.KeyWrap;

    [JsonPropertyName("use")]
    public string Use { get; init; } = "enc";

    [JsonPropertyName("key_ops")]
    public IReadOnlyList<string> KeyOperations { get; } = ["encrypt", "wrapKey"];

    /// <summary>
    /// The length in bytes of a key wrapped with this key: the modulus length. Leading zero bytes do not count, since
    /// some producers (Key Vault among them, for some keys) serialise <c>n</c> with one.
    /// </summary>
    [JsonIgnore]
    public int ModulusLength => Jwe.JoseBase64.TryDecode(Modulus, out var modulus)
        ? modulus.AsSpan().TrimStart((byte)0).Length
        : 0;
}
