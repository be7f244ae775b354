namespace TipIntake.Infrastructure.KeyVault;

/// <summary>
/// Reads the intake key's versions from Key Vault on a timer (<see cref="KeyVaultIntakeKey.RefreshVersionsAsync"/>):
/// once at start — waiting up to <see cref="StartWait"/>, so a host that can reach its vault checks kids from its first
/// request — then every <c>KeyVault:PublicKeyRefreshInterval</c>, and after a failed read every
/// <see cref="RetryInterval"/> until one succeeds. Nothing a request does makes it ask sooner. Does nothing when the
/// intake key is not in Key Vault.
/// </summary>
public sealed class IntakeKeyVersionRefresher(IIntakeKey intakeKey, IOptions<KeyVaultOptions> options, TimeProvider time) : IHostedService, IDisposable
{
    public static readonly TimeSpan StartWait = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (intakeKey is not KeyVaultIntakeKey key)
        {
            return;
        }

        bool read;
        using (var first = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token))
        {
            first.CancelAfter(StartWait);
            try
            {
                read = await key.RefreshVersionsAsync(first.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                read = false; // the vault is slow: the loop tries again, intake answers 503 until then
            }
        }

        _loop = RunAsync(key, read);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(KeyVaultIntakeKey key, bool lastRead)
    {
        var interval = options.Value.PublicKeyRefreshInterval;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(lastRead ? interval : TimeSpan.FromTicks(Math.Min(interval.Ticks, RetryInterval.Ticks)), time, _stopping.Token)
                    .ConfigureAwait(false);
                lastRead = await key.RefreshVersionsAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
