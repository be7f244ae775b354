using System.Text.Json.Serialization.Metadata;
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
/// The three Key Vault keys operations this service needs (get, list versions, unwrap), on the REST API (api-version 7.5) through Azure.Core's
/// pipeline. It stands in for <c>Azure.Security.KeyVault.Keys</c>, which this build cannot obtain: replacing it with
/// the official <c>KeyClient</c>/<c>CryptographyClient</c> touches only <see cref="KeyVaultIntakeKey"/>.
/// Works for Key Vault (<c>*.vault.azure.net</c>) and Managed HSM (<c>*.managedhsm.azure.net</c>) alike.
/// </summary>
public sealed class KeyVaultKeysClient
{
    public const string ApiVersion = "7.5";

    /// <summary>More pages than a key's versions could fill (25 a page): a vault that keeps linking is refused.</summary>
    internal const int MaxVersionPages = 400;
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

    /// <summary>
    /// <c>GET {vault}/keys/{name}/versions</c>, every page: each version's identifier and attributes (the list carries
    /// no key material). Pages are followed by their <c>nextLink</c>, which must stay on this vault's host (a link
    /// elsewhere is refused, so a token is never sent there).
    /// </summary>
    /// <exception cref="KeyVaultRequestFailedException">Key Vault answered with an error, or with a link elsewhere.</exception>
    public async Task<IReadOnlyList<KeyVaultKeyItem>> GetKeyVersionsAsync(string name, CancellationToken cancellationToken)
    {
        var items = new List<KeyVaultKeyItem>();
        Uri? next = null;
        for (var page = 0; page < MaxVersionPages; page++)
        {
            using var message = next is null ? CreateMessage(RequestMethod.Get, name, "versions") : CreateMessage(next);
            var result = await SendAsync(message, KeyVaultJsonContext.Default.KeyListResult, cancellationToken).ConfigureAwait(false);
            foreach (var item in result.Value ?? [])
            {
                if (item.Kid is null || !Uri.TryCreate(item.Kid, UriKind.Absolute, out var id))
                {
                    throw new KeyVaultRequestFailedException(message.Response.Status, "Key Vault listed a key version without a kid.", "InvalidResponse", null);
                }

                items.Add(new KeyVaultKeyItem(
                    id, item.Attributes?.Enabled ?? false, FromUnixSeconds(item.Attributes?.NotBefore), FromUnixSeconds(item.Attributes?.Expires)));
            }

            if (string.IsNullOrEmpty(result.NextLink))
            {
                return items;
            }

            if (!Uri.TryCreate(result.NextLink, UriKind.Absolute, out next) || next.Scheme != Uri.UriSchemeHttps
                || !string.Equals(next.Host, VaultUri.Host, StringComparison.OrdinalIgnoreCase))
            {
                throw new KeyVaultRequestFailedException(message.Response.Status, "Key Vault linked the next page of versions to another host.", "InvalidResponse", null);
            }
        }

        throw new KeyVaultRequestFailedException(200, $"Key Vault listed more than {MaxVersionPages} pages of versions.", "InvalidResponse", null);
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

    /// <summary>A GET of a page link the vault gave, exactly as given (it carries its own api-version and skip token).</summary>
    private HttpMessage CreateMessage(Uri link)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(link);
        message.Request.Headers.Add("Accept", "application/json");
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
