using System.Collections.Frozen;
using Azure.Identity;
using TipIntake.Core.Jwe;

namespace TipIntake.Infrastructure.KeyVault;

/// <summary>
/// The intake key in Key Vault: the current version's public half for reporters (cached, refreshed when stale), the
/// versions a submission may name (read from Key Vault's list of versions by <see cref="RefreshVersionsAsync"/>, on a
/// timer — never because of a request), and content keys unwrapped by Key Vault itself: the private key never leaves
/// it. This is the one class to change to adopt the official <c>CryptographyClient</c>.
/// </summary>
public sealed partial class KeyVaultIntakeKey(
    KeyVaultKeysClient client,
    IOptions<KeyVaultOptions> options,
    TimeProvider time,
    ILogger<KeyVaultIntakeKey> logger) : IIntakeKey, IIntakeKeyExpiry, IDisposable
{
    private readonly KeyVaultOptions _options = options.Value;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly SemaphoreSlim _versionsRefresh = new(1, 1);
    private volatile CachedKey? _current;

    /// <summary>
    /// Enabled RSA versions and the length of their moduli, as last listed; null until a list was read. Replaced whole,
    /// so a reader always sees one listing. Its size is the vault's number of versions, which submitters cannot grow.
    /// </summary>
    private volatile FrozenDictionary<string, int>? _versions;

    /// <summary>Moduli of versions already read: a version's key material never changes, so it is read once.</summary>
    private readonly ConcurrentDictionary<string, int> _moduli = new(StringComparer.Ordinal);

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
                _moduli[key.Version] = publicKey.ModulusLength;
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

    /// <summary>
    /// From the last list of versions only. Before any list was read, the current version is accepted if its public
    /// key is cached (reporters encrypt to it); otherwise the answer is <see cref="KeyVersionState.Unknown"/>.
    /// </summary>
    public KeyVersionCheck CheckKeyVersion(string keyId)
    {
        if (!TryParseOwn(keyId, out var id))
        {
            return KeyVersionCheck.Refused;
        }

        if (_versions is { } versions)
        {
            return versions.TryGetValue(id.Version, out var length) ? KeyVersionCheck.Accepted(length) : KeyVersionCheck.Refused;
        }

        return _current is { } current && string.Equals(current.Key.KeyId, keyId, StringComparison.OrdinalIgnoreCase)
            ? KeyVersionCheck.Accepted(current.Key.ModulusLength)
            : KeyVersionCheck.Unknown;
    }

    /// <summary>
    /// Reads the key's versions (<c>GET /keys/{name}/versions</c>, every page) and, once each, the public half of an
    /// enabled version not seen before (for the length of its wrapped keys). An EC or other non-RSA version is never
    /// accepted. On failure the last list stays in use and the failure is logged; the caller tries again later.
    /// </summary>
    /// <returns>Whether the list was read.</returns>
    public async Task<bool> RefreshVersionsAsync(CancellationToken cancellationToken)
    {
        await _versionsRefresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var listed = await client.GetKeyVersionsAsync(_options.KeyName!, cancellationToken).ConfigureAwait(false);
            var accepted = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in listed)
            {
                if (!item.Enabled || !KeyIdentifier.IsVersion(item.Version))
                {
                    continue;
                }

                if (!_moduli.TryGetValue(item.Version, out var length))
                {
                    var key = await client.GetKeyAsync(_options.KeyName!, item.Version, cancellationToken).ConfigureAwait(false);
                    length = key.IsRsa ? key.Modulus.AsSpan().TrimStart((byte)0).Length : 0;
                    _moduli[item.Version] = length;
                }

                if (length > 0)
                {
                    accepted[item.Version] = length;
                }
            }

            _versions = accepted.ToFrozenDictionary(StringComparer.Ordinal);
            Log.KeyVersionsRefreshed(logger, accepted.Count, listed.Count);
            return true;
        }
        catch (Exception ex) when (IsKeyVaultFailure(ex, cancellationToken))
        {
            Log.KeyVersionsRefreshFailed(logger, FailureName(ex), Classify(ex), _versions?.Count ?? 0);
            return false;
        }
        finally
        {
            _versionsRefresh.Release();
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

    public void Dispose()
    {
        _refresh.Dispose();
        _versionsRefresh.Dispose();
    }

    private sealed record CachedKey(IntakePublicKey Key, DateTimeOffset FetchedAt);

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

    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Warning, "Could not refresh the intake public key from Key Vault ({Failure}, treated as {Kind})")]
        public static partial void PublicKeyRefreshFailed(ILogger logger, string failure, IntakeKeyFailure kind);

        [LoggerMessage(3003, LogLevel.Warning, "Key Vault unwrap failed ({Failure}, treated as {Kind})")]
        public static partial void UnwrapFailed(ILogger logger, string failure, IntakeKeyFailure kind);

        [LoggerMessage(3004, LogLevel.Error, "The current intake key version {KeyVersion} is expired or not yet valid; rotate it now (see docs/keys.md)")]
        public static partial void CurrentKeyOutsideValidity(ILogger logger, string keyVersion);

        [LoggerMessage(3201, LogLevel.Debug, "Intake key versions read: {Accepted} of {Listed} accepted (enabled RSA)")]
        public static partial void KeyVersionsRefreshed(ILogger logger, int accepted, int listed);

        [LoggerMessage(3202, LogLevel.Warning, "Could not read the intake key's versions from Key Vault ({Failure}, treated as {Kind}); the last list ({Known} versions) stays in use")]
        public static partial void KeyVersionsRefreshFailed(ILogger logger, string failure, IntakeKeyFailure kind, int known);
    }
}
