namespace TipIntake.Infrastructure.KeyVault;

/// <summary>Key Vault's key bundle (<c>GET /keys/{name}/{version}</c>), the members this client reads.</summary>
internal sealed record KeyBundle(
    [property: JsonPropertyName("key")] JsonWebKeyWire? Key,
    [property: JsonPropertyName("attributes")] KeyAttributesWire? Attributes);

internal sealed record JsonWebKeyWire(
    [property: JsonPropertyName("kid")] string? Kid,
    [property: JsonPropertyName("kty")] string? Kty,
    [property: JsonPropertyName("key_ops")] IReadOnlyList<string>? KeyOps,
    [property: JsonPropertyName("n")] string? N,
    [property: JsonPropertyName("e")] string? E);

/// <summary>Times are Unix seconds.</summary>
internal sealed record KeyAttributesWire(
    [property: JsonPropertyName("enabled")] bool? Enabled,
    [property: JsonPropertyName("nbf")] long? NotBefore,
    [property: JsonPropertyName("exp")] long? Expires);

/// <summary>
/// One page of <c>GET /keys/{name}/versions</c>: key items (no key material, only the kid and attributes) and the
/// absolute URL of the next page, or null on the last.
/// </summary>
internal sealed record KeyListResult(
    [property: JsonPropertyName("value")] IReadOnlyList<KeyItemWire>? Value,
    [property: JsonPropertyName("nextLink")] string? NextLink);

internal sealed record KeyItemWire(
    [property: JsonPropertyName("kid")] string? Kid,
    [property: JsonPropertyName("attributes")] KeyAttributesWire? Attributes);

/// <summary>The body of <c>wrapkey</c>/<c>unwrapkey</c> requests: <c>value</c> is base64url without padding.</summary>
internal sealed record KeyOperationRequest(
    [property: JsonPropertyName("alg")] string Algorithm,
    [property: JsonPropertyName("value")] string Value);

internal sealed record KeyOperationResult(
    [property: JsonPropertyName("kid")] string? Kid,
    [property: JsonPropertyName("value")] string? Value);

/// <summary><c>{"error":{"code","message","innererror":{"code"}}}</c>, Key Vault's error body.</summary>
internal sealed record ErrorBody([property: JsonPropertyName("error")] ErrorDetail? Error);

internal sealed record ErrorDetail(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("innererror")] ErrorDetail? InnerError);

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(KeyBundle))]
[JsonSerializable(typeof(KeyListResult))]
[JsonSerializable(typeof(KeyOperationRequest))]
[JsonSerializable(typeof(KeyOperationResult))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class KeyVaultJsonContext : JsonSerializerContext;
