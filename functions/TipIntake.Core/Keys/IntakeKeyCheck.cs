namespace TipIntake.Core.Keys;

/// <summary>The current version of the intake key and when it expires (null: never).</summary>
public sealed record IntakeKeyValidity(string KeyVersion, DateTimeOffset? ExpiresOn);

/// <summary>An intake key that can say when its current version expires: Key Vault's can; the development key never does.</summary>
public interface IIntakeKeyExpiry
{
    /// <summary>Asks the key store now (no cache).</summary>
    /// <exception cref="IntakeKeyException">The key store refused or could not be reached.</exception>
    ValueTask<IntakeKeyValidity> GetCurrentValidityAsync(CancellationToken cancellationToken);
}

public enum IntakeKeyState
{
    Valid,
    ExpiresSoon,
    Expired,
}

public sealed record IntakeKeyCheckResult(string KeyVersion, IntakeKeyState State, int? DaysLeft);

/// <summary>
/// The daily look at the intake key (timer <c>CheckIntakeKey</c>): logs whether the current version is valid, expires
/// soon or has expired. The alerts in <c>infra/modules/alerts.bicep</c> fire on the last two, and on the check not
/// having run at all. The key must never expire unnoticed: reporters encrypt to it.
/// </summary>
public sealed partial class IntakeKeyCheck(IIntakeKey key, TimeProvider time, IOptions<IntakeKeyCheckOptions> options, ILogger<IntakeKeyCheck> logger)
{
    public async Task<IntakeKeyCheckResult> RunAsync(CancellationToken cancellationToken)
    {
        IntakeKeyValidity validity;
        try
        {
            validity = key is IIntakeKeyExpiry expiry
                ? await expiry.GetCurrentValidityAsync(cancellationToken).ConfigureAwait(false)
                : await VersionOnlyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IntakeKeyException ex)
        {
            Log.IntakeKeyCheckFailed(logger, ex.Failure.ToString());
            throw;
        }

        if (validity.ExpiresOn is not { } expires)
        {
            Log.IntakeKeyChecked(logger, validity.KeyVersion, -1);
            return new IntakeKeyCheckResult(validity.KeyVersion, IntakeKeyState.Valid, null);
        }

        var left = expires - time.GetUtcNow();
        var days = (int)Math.Floor(left.TotalDays);
        if (left <= TimeSpan.Zero)
        {
            Log.IntakeKeyExpired(logger, validity.KeyVersion);
            return new IntakeKeyCheckResult(validity.KeyVersion, IntakeKeyState.Expired, days);
        }

        if (left <= options.Value.WarnBefore)
        {
            Log.IntakeKeyExpiresSoon(logger, validity.KeyVersion, days);
            Log.IntakeKeyChecked(logger, validity.KeyVersion, days);
            return new IntakeKeyCheckResult(validity.KeyVersion, IntakeKeyState.ExpiresSoon, days);
        }

        Log.IntakeKeyChecked(logger, validity.KeyVersion, days);
        return new IntakeKeyCheckResult(validity.KeyVersion, IntakeKeyState.Valid, days);
    }

    private async Task<IntakeKeyValidity> VersionOnlyAsync(CancellationToken cancellationToken)
    {
        var current = await key.GetPublicKeyAsync(cancellationToken).ConfigureAwait(false);
        return new IntakeKeyValidity(KeyIdentifier.TryParse(current.KeyId, out var id) ? id.Version : "unknown", null);
    }

    private static partial class Log
    {
        /// <summary>The daily key check ran; <c>DaysLeft</c> is -1 for a key without expiry (the development key).</summary>
        [LoggerMessage(6010, LogLevel.Information, "Intake key checked: version {KeyVersion}, {DaysLeft} days left")]
        public static partial void IntakeKeyChecked(ILogger logger, string keyVersion, int daysLeft);

        [LoggerMessage(6011, LogLevel.Warning, "Intake key version {KeyVersion} expires in {DaysLeft} days and no newer version has replaced it: rotate it now (see docs/keys.md)")]
        public static partial void IntakeKeyExpiresSoon(ILogger logger, string keyVersion, int daysLeft);

        [LoggerMessage(6012, LogLevel.Error, "Intake key version {KeyVersion} has expired and is still the current one: rotate it now (see docs/keys.md)")]
        public static partial void IntakeKeyExpired(ILogger logger, string keyVersion);

        [LoggerMessage(6013, LogLevel.Error, "Intake key check could not read the key ({Failure})")]
        public static partial void IntakeKeyCheckFailed(ILogger logger, string failure);
    }
}
