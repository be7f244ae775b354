using System.Collections.Concurrent;
using Azure;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;

namespace TipIntake.Infrastructure.KeyVault;

/// <summary>
/// The intake key in Key Vault: the current version's public half for reporters (cached, refreshed in the background
/// of requests), any enabled version accepted in submissions, and content keys unwrapped by Key Vault itself — the
/// private key never leaves it. This is the one class to change to adopt the official <c>CryptographyClient</c>.
/// </summary>
public sealed class KeyVaultIntakeKey(
    KeyVaultKeysClient client,
    IOptions<KeyVaultOptions> options,
    TimeProvider time,
    ILogger<KeyVaultIntakeKey> logger) : IIntakeKey, IIntakeKeyExpiry, IDisposable
{
    private const int MaxRememberedVersions = 256;
    private readonly KeyVaultOptions _options = options.Value;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    /// <summary>
    /// Versions checked at intake. Submitters choose the kid, so this is bounded: refused versions beyond the bound
    /// are simply asked again rather than remembered.
    /// </summary>
    private readonly ConcurrentDictionary<string, VersionStatus> _versions = new(StringComparer.Ordinal);
    private volatile CachedKey? _current;

    public async ValueTask<IntakePublicKey> GetPublicKeyAsync(CancellationToken cancellationToken)
    {
        if (_current is { } fresh && time.GetUtcNow() - fresh.FetchedAt < _options.PublicKeyRefreshInterval)
        {
            return fresh.Key;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (_current is { } refreshed && now - refreshed.FetchedAt < _options.PublicKeyRefreshInterval)
            {
                return refreshed.Key;
            }

            try
            {
                var key = await client.GetKeyAsync(_options.KeyName!, version: null, cancellationToken).ConfigureAwait(false);
                var publicKey = ToPublicKey(key, now);
                _current = new CachedKey(publicKey, now);
                Remember(key.Version, accepted: true, now);
                return publicKey;
            }
            catch (Exception ex) when (IsKeyVaultFailure(ex, cancellationToken))
            {
                var failure = Classify(ex);
                Log.PublicKeyRefreshFailed(logger, FailureName(ex), failure);
                if (_current is { } stale && now - stale.FetchedAt < _options.PublicKeyMaxStaleness)
                {
                    return stale.Key;
                }

                throw new IntakeKeyException(failure, "The intake key could not be read from Key Vault.", ex);
            }
        }
        finally
        {
            _refresh.Release();
        }
    }

    public async ValueTask<bool> AcceptsKeyIdAsync(string keyId, CancellationToken cancellationToken)
    {
        if (!TryParseOwn(keyId, out var id))
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (_versions.TryGetValue(id.Version, out var known) && now - known.CheckedAt < _options.PublicKeyRefreshInterval)
        {
            return known.Accepted;
        }

        try
        {
            var key = await client.GetKeyAsync(id.Name, id.Version, cancellationToken).ConfigureAwait(false);
            var accepted = key.Enabled && key.IsRsa;
            Remember(id.Version, accepted, now);
            return accepted;
        }
        catch (Exception ex) when (IsKeyVaultFailure(ex, cancellationToken))
        {
            var failure = Classify(ex);
            if (failure == IntakeKeyFailure.KeyUnavailable)
            {
                Remember(id.Version, accepted: false, now);
                return false;
            }

            // Key Vault cannot say now: accept, so that no tip is turned away; the processor decides once it can.
            Log.KeyVersionCheckDeferred(logger, FailureName(ex), failure);
            return true;
        }
    }

    public async ValueTask<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken)
    {
        if (!TryParseOwn(keyId, out var id))
        {
            throw new IntakeKeyException(IntakeKeyFailure.KeyUnavailable, "The kid does not name a version of the configured intake key.");
        }

        try
        {
            return await client.UnwrapKeyAsync(id.Name, id.Version, JweAlgorithms.KeyWrap, wrappedKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsKeyVaultFailure(ex, cancellationToken))
        {
            var failure = Classify(ex);
            Log.UnwrapFailed(logger, FailureName(ex), failure);
            throw new IntakeKeyException(failure, $"Key Vault could not unwrap the content key ({failure}).", ex);
        }
    }

    public async ValueTask<IntakeKeyValidity> GetCurrentValidityAsync(CancellationToken cancellationToken)
    {
        try
        {
            var key = await client.GetKeyAsync(_options.KeyName!, version: null, cancellationToken).ConfigureAwait(false);
            return new IntakeKeyValidity(key.Version, key.Expires);
        }
        catch (Exception ex) when (IsKeyVaultFailure(ex, cancellationToken))
        {
            throw new IntakeKeyException(Classify(ex), $"The intake key could not be read from Key Vault ({FailureName(ex)}).", ex);
        }
    }

    public void Dispose() => _refresh.Dispose();

    private void Remember(string version, bool accepted, DateTimeOffset now)
    {
        if (accepted || _versions.Count < MaxRememberedVersions)
        {
            _versions[version] = new VersionStatus(accepted, now);
        }
    }

    private sealed record CachedKey(IntakePublicKey Key, DateTimeOffset FetchedAt);

    private sealed record VersionStatus(bool Accepted, DateTimeOffset CheckedAt);

    /// <summary>How each Key Vault answer is treated (see docs/keys.md).</summary>
    internal static IntakeKeyFailure Classify(Exception exception) => exception switch
    {
        KeyVaultRequestFailedException { Status: 404 } => IntakeKeyFailure.KeyUnavailable,
        KeyVaultRequestFailedException { Status: 403, InnerErrorCode: "KeyDisabled" } => IntakeKeyFailure.KeyUnavailable,
        KeyVaultRequestFailedException { Status: 401 or 403 } => IntakeKeyFailure.Unauthorized,
        KeyVaultRequestFailedException { Status: 400 } => IntakeKeyFailure.Rejected,
        AuthenticationFailedException or CredentialUnavailableException => IntakeKeyFailure.Unauthorized,
        InvalidOperationException => IntakeKeyFailure.Unauthorized,
        _ => IntakeKeyFailure.Transient,
    };

    private static bool IsKeyVaultFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is RequestFailedException or AuthenticationFailedException or CredentialUnavailableException
            or HttpRequestException or IOException or AggregateException or InvalidOperationException
        || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>A log-safe name: type, status and Key Vault's codes; never the message, which could carry request details.</summary>
    private static string FailureName(Exception exception) => exception switch
    {
        KeyVaultRequestFailedException kv => $"HTTP {kv.Status} {kv.ErrorCode}{(kv.InnerErrorCode is null ? "" : "/" + kv.InnerErrorCode)}",
        RequestFailedException failed => $"HTTP {failed.Status}",
        _ => exception.GetType().Name,
    };

    private IntakePublicKey ToPublicKey(KeyVaultKey key, DateTimeOffset now)
    {
        if (!key.IsRsa || key.Modulus.Length == 0 || key.Exponent.Length == 0)
        {
            throw new IntakeKeyException(IntakeKeyFailure.KeyUnavailable, $"The intake key is a {key.KeyType} key; an RSA key is required.");
        }

        if (!key.Enabled)
        {
            throw new IntakeKeyException(IntakeKeyFailure.KeyUnavailable, "The current version of the intake key is disabled.");
        }

        if (!key.IsUsableAt(now))
        {
            // Still served: refusing would turn every reporter away. The rotation policy should have replaced it.
            Log.CurrentKeyOutsideValidity(logger, key.Version);
        }

        return new IntakePublicKey(
            key.Id.ToString(),
            JoseBase64.Encode(key.Modulus.AsSpan().TrimStart((byte)0)),
            JoseBase64.Encode(key.Exponent.AsSpan().TrimStart((byte)0)));
    }

    private bool TryParseOwn(string keyId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KeyIdentifier? id) =>
        KeyIdentifier.TryParse(keyId, out id)
        && string.Equals(id.VaultHost, client.VaultUri.Host, StringComparison.OrdinalIgnoreCase)
        && string.Equals(id.Name, _options.KeyName, StringComparison.OrdinalIgnoreCase);
}
