using Microsoft.Extensions.Options;
using TipIntake.Core.Keys;
using TipIntake.Core.Tests.Fakes;
using TipIntake.Testing;

namespace TipIntake.Core.Tests.Keys;

/// <summary>The daily key check: what it logs decides which alert fires (infra/modules/alerts.bicep).</summary>
public class IntakeKeyCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 4, 0, 0, TimeSpan.Zero);
    private const string Version = "0123456789abcdef0123456789abcdef";

    private readonly CapturingLogger<IntakeKeyCheck> _logger = new();

    private Task<IntakeKeyCheckResult> CheckAsync(IIntakeKey key) =>
        new IntakeKeyCheck(key, new FixedTimeProvider(Now), Options.Create(new IntakeKeyCheckOptions()), _logger).RunAsync(default);

    [Fact]
    public async Task A_version_far_from_expiry_is_checked_and_nothing_is_raised()
    {
        var result = await CheckAsync(new ExpiringKey(Now.AddDays(200).AddHours(5)));

        Assert.Equal(new IntakeKeyCheckResult(Version, IntakeKeyState.Valid, 200), result);
        var line = Assert.Single(_logger.Lines);
        Assert.StartsWith("Information 6010: Intake key checked: version " + Version + ", 200 days left", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_within_the_warning_period_raises_a_warning_and_still_counts_as_checked()
    {
        var result = await CheckAsync(new ExpiringKey(Now.AddDays(44)));

        Assert.Equal(IntakeKeyState.ExpiresSoon, result.State);
        Assert.Equal(44, result.DaysLeft);
        Assert.Equal(["Warning 6011", "Information 6010"], _logger.Lines.Select(line => line[..line.IndexOf(':', StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task An_expired_current_version_is_an_error()
    {
        var result = await CheckAsync(new ExpiringKey(Now.AddMinutes(-1)));

        Assert.Equal(IntakeKeyState.Expired, result.State);
        Assert.StartsWith("Error 6012: Intake key version " + Version + " has expired", Assert.Single(_logger.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_without_expiry_is_checked_with_minus_one_days()
    {
        var result = await CheckAsync(new ExpiringKey(null));

        Assert.Equal(new IntakeKeyCheckResult(Version, IntakeKeyState.Valid, null), result);
        Assert.StartsWith("Information 6010: Intake key checked: version " + Version + ", -1 days left", Assert.Single(_logger.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_store_failure_is_logged_with_its_kind_and_fails_the_run()
    {
        var failure = await Assert.ThrowsAsync<IntakeKeyException>(() => CheckAsync(new ExpiringKey(Now, IntakeKeyFailure.Unauthorized)));

        Assert.Equal(IntakeKeyFailure.Unauthorized, failure.Failure);
        Assert.StartsWith("Error 6013: Intake key check could not read the key (Unauthorized)", Assert.Single(_logger.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_cannot_tell_its_expiry_is_checked_by_its_current_version()
    {
        var key = new FakeIntakeKey();

        var result = await CheckAsync(key);

        Assert.Equal(new IntakeKeyCheckResult(key.Version, IntakeKeyState.Valid, null), result);
    }

    private sealed class ExpiringKey(DateTimeOffset? expires, IntakeKeyFailure? failure = null) : IIntakeKey, IIntakeKeyExpiry
    {
        public ValueTask<IntakeKeyValidity> GetCurrentValidityAsync(CancellationToken cancellationToken) =>
            failure is { } kind
                ? throw new IntakeKeyException(kind, "refused")
                : ValueTask.FromResult(new IntakeKeyValidity(Version, expires));

        public ValueTask<IntakePublicKey> GetPublicKeyAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public KeyVersionCheck CheckKeyVersion(string keyId) => throw new NotSupportedException();

        public ValueTask<byte[]> UnwrapAsync(string keyId, ReadOnlyMemory<byte> wrappedKey, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
