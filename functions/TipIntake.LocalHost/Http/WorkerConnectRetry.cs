namespace TipIntake.LocalHost.Http;

/// <summary>
/// Retries a forwarded request whose connection to the worker could not be opened: the worker's web server starts a
/// moment after it reports ready, as in the Functions host (its <c>RetryProxyHandler</c>: 10 attempts, 50 ms doubling to
/// 250 ms). Only a failure to connect is retried — nothing of the request has been sent then.
/// </summary>
internal sealed class WorkerConnectRetry(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const int MaxAttempts = 10;
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(250);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && attempt < MaxAttempts)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = delay * 2 < MaxDelay ? delay * 2 : MaxDelay;
            }
        }
    }
}
