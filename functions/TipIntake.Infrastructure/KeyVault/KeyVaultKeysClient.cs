using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using TipIntake.Core.Jwe;

namespace TipIntake.Infrastructure.KeyVault;

/// <summary>Pipeline options for <see cref="KeyVaultKeysClient"/>: Azure.Core's retry (which honours Retry-After on 429/503), transport, diagnostics.</summary>
public sealed class KeyVaultKeysClientOptions : ClientOptions
{
    public KeyVaultKeysClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromMilliseconds(800);
        Retry.MaxDelay = TimeSpan.FromSeconds(20);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        Diagnostics.IsLoggingContentEnabled = false;
    }

    /// <summary>Skip the check that a challenge's resource is in the vault's domain. Only for vaults behind unusual DNS.</summary>
    public bool DisableChallengeResourceVerification { get; set; }
}

/// <summary>
/// The two Key Vault keys operations this service needs, on the REST API (api-version 7.5) through Azure.Core's
/// pipeline. It stands in for <c>Azure.Security.KeyVault.Keys</c>, which this build cannot obtain: replacing it with
/// the official <c>KeyClient</c>/<c>CryptographyClient</c> touches only <see cref="KeyVaultIntakeKey"/>.
/// Works for Key Vault (<c>*.vault.azure.net</c>) and Managed HSM (<c>*.managedhsm.azure.net</c>) alike.
/// </summary>
public sealed class KeyVaultKeysClient
{
    public const string ApiVersion = "7.5";
    private readonly HttpPipeline _pipeline;

    public KeyVaultKeysClient(Uri vaultUri, TokenCredential credential, KeyVaultKeysClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vaultUri);
        ArgumentNullException.ThrowIfNull(credential);
        if (vaultUri.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("The vault URI must use https.", nameof(vaultUri));
        }

        options ??= new KeyVaultKeysClientOptions();
        VaultUri = new Uri(vaultUri.GetLeftPart(UriPartial.Authority));
        _pipeline = HttpPipelineBuilder.Build(
            options,
            perCallPolicies: [],
            perRetryPolicies: [new KeyVaultChallengePolicy(credential, !options.DisableChallengeResourceVerification)],
            new ResponseClassifier());
    }

    public Uri VaultUri { get; }

    /// <summary><c>GET {vault}/keys/{name}/{version}</c>; an empty version means the current one.</summary>
    /// <exception cref="KeyVaultRequestFailedException">Key Vault answered with an error (e.g. 404 <c>KeyNotFound</c>).</exception>
    public async Task<KeyVaultKey> GetKeyAsync(string name, string? version, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Get, name, version ?? "");
        var bundle = await SendAsync(message, KeyVaultJsonContext.Default.KeyBundle, cancellationToken).ConfigureAwait(false);
        var key = bundle.Key;
        if (key?.Kid is null || key.Kty is null || !Uri.TryCreate(key.Kid, UriKind.Absolute, out var id))
        {
            throw new KeyVaultRequestFailedException(message.Response.Status, "Key Vault returned a key bundle without kid or kty.", "InvalidResponse", null);
        }

        // Only RSA keys have n and e; any other kind (EC, oct) is returned as such for the caller to refuse.
        var isRsa = key.Kty is "RSA" or "RSA-HSM";
        return new KeyVaultKey(
            id,
            key.Kty,
            key.KeyOps ?? [],
            isRsa ? Decode(key.N, message) : [],
            isRsa ? Decode(key.E, message) : [],
            bundle.Attributes?.Enabled ?? false,
            FromUnixSeconds(bundle.Attributes?.NotBefore),
            FromUnixSeconds(bundle.Attributes?.Expires));
    }

    /// <summary><c>POST {vault}/keys/{name}/{version}/unwrapKey</c> with <paramref name="algorithm"/> (e.g. <c>RSA-OAEP-256</c>).</summary>
    /// <exception cref="KeyVaultRequestFailedException">Key Vault answered with an error.</exception>
    public async Task<byte[]> UnwrapKeyAsync(string name, string version, string algorithm, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(version);
        using var message = CreateMessage(RequestMethod.Post, name, version, "unwrapKey");
        message.Request.Headers.Add("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(JsonSerializer.SerializeToUtf8Bytes(
            new KeyOperationRequest(algorithm, JoseBase64.Encode(wrappedKey.Span)), KeyVaultJsonContext.Default.KeyOperationRequest));
        var result = await SendAsync(message, KeyVaultJsonContext.Default.KeyOperationResult, cancellationToken).ConfigureAwait(false);
        return Decode(result.Value, message);
    }

    private HttpMessage CreateMessage(RequestMethod method, string name, string version, string? operation = null)
    {
        if (!Core.Keys.KeyIdentifier.IsKeyName(name))
        {
            throw new ArgumentException("Not a Key Vault key name.", nameof(name));
        }

        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(VaultUri);
        request.Uri.AppendPath("/keys/", escape: false);
        request.Uri.AppendPath(name, escape: true);
        request.Uri.AppendPath("/", escape: false);
        request.Uri.AppendPath(version, escape: true);
        if (operation is not null)
        {
            request.Uri.AppendPath("/" + operation, escape: false);
        }

        request.Uri.AppendQuery("api-version", ApiVersion);
        request.Headers.Add("Accept", "application/json");
        return message;
    }

    private async Task<T> SendAsync<T>(HttpMessage message, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is < 200 or >= 300)
        {
            throw ToException(response);
        }

        try
        {
            return JsonSerializer.Deserialize(response.Content.ToMemory().Span, typeInfo)
                ?? throw new JsonException("empty body");
        }
        catch (JsonException)
        {
            throw new KeyVaultRequestFailedException(response.Status, "Key Vault returned a body that is not the expected JSON.", "InvalidResponse", null);
        }
    }

    private static KeyVaultRequestFailedException ToException(Response response)
    {
        ErrorDetail? error = null;
        try
        {
            error = JsonSerializer.Deserialize(response.Content.ToMemory().Span, KeyVaultJsonContext.Default.ErrorBody)?.Error;
        }
        catch (JsonException)
        {
            // Not Key Vault's error shape (a proxy's HTML page, say): the status alone must do.
        }

        var code = error?.Code;
        var message = $"Key Vault answered {response.Status} {code ?? response.ReasonPhrase}: {error?.Message ?? "no error body"}";
        return new KeyVaultRequestFailedException(response.Status, message, code, error?.InnerError?.Code);
    }

    private static byte[] Decode(string? base64Url, HttpMessage message) =>
        base64Url is not null && JoseBase64.TryDecode(base64Url, out var bytes)
            ? bytes
            : throw new KeyVaultRequestFailedException(message.Response.Status, "Key Vault returned a value that is not base64url.", "InvalidResponse", null);

    private static DateTimeOffset? FromUnixSeconds(long? seconds) =>
        seconds is null ? null : DateTimeOffset.FromUnixTimeSeconds(seconds.Value);
}
