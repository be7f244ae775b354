namespace TipIntake.Infrastructure.Storage;

/// <summary>Which storage exceptions mean "not now", turned into the core's <see cref="StorageUnavailableException"/>.</summary>
internal static class StorageFailures
{
    /// <summary>
    /// True for failures to reach or use storage. The SDK's retries are spent by then; an exception from the caller's
    /// own cancellation is not one of these and keeps propagating.
    /// </summary>
    public static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(inner => IsUnavailable(inner, cancellationToken)),
        HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        IOException => true,
        _ => false,
    };

    /// <summary>
    /// <paramref name="operation"/> awaited, a failure to reach storage surfacing as the core's exception naming
    /// <paramref name="name"/>; the caller's own cancellation still propagates as itself.
    /// </summary>
    public static async Task OrUnavailableAsync(this Task operation, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        try
        {
            await operation.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Wrap(name, ex);
        }
    }

    /// <inheritdoc cref="OrUnavailableAsync(Task, string, CancellationToken)"/>
    public static async Task<T> OrUnavailableAsync<T>(this Task<T> operation, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        try
        {
            return await operation.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Wrap(name, ex);
        }
    }

    /// <summary>Names the failure by type and status only: SDK messages can carry request details.</summary>
    public static StorageUnavailableException Wrap(string operation, Exception exception) =>
        new($"{operation} failed: {Describe(exception)}", exception);

    private static string Describe(Exception exception) => exception switch
    {
        RequestFailedException failed => $"HTTP {failed.Status} {failed.ErrorCode}",
        AggregateException aggregate => string.Join(", ", aggregate.InnerExceptions.Select(Describe).Distinct()),
        _ => exception.GetType().Name,
    };
}
