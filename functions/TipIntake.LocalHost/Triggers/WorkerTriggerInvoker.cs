using Google.Protobuf;

// IJobHostMetadataProvider is marked "not ready for public consumption", yet it is how the Functions host itself
// turns binding JSON into extension attributes (GeneralScriptBindingProvider); WebJobs 3.0.48 has no other way.
#pragma warning disable CS0618

namespace TipIntake.LocalHost.Triggers;

/// <summary>
/// Sends one WebJobs-triggered invocation to the worker, with the trigger's value as the Functions host encodes it:
/// <see cref="ParameterBindingData"/> as <c>ModelBindingData</c> (the queue message's id, pop receipt, text and
/// counts, for the worker to bind a <c>QueueMessage</c>), anything else as JSON (a timer's <c>TimerInfo</c>). A failed
/// invocation throws, so that WebJobs does what it does with a failed function: retry, then the poison queue.
/// </summary>
public sealed class WorkerTriggerInvoker(WorkerHandle worker)
{
    public async Task InvokeAsync(string functionName, object? trigger, CancellationToken cancellationToken)
    {
        var running = worker.Worker;
        var function = running.Functions.Single(f => f.Name == functionName);
        var input = new ParameterBinding { Name = function.TriggerName, Data = ToTypedData(trigger) };
        var response = await running.InvokeAsync(functionName, Guid.NewGuid().ToString(), input, [], cancellationToken).ConfigureAwait(false);
        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            var exception = response.Result?.Exception;
            throw new WorkerInvocationException(
                $"{functionName} failed in the worker: {(exception is null ? response.Result?.Result : $"{exception.Type}: {exception.Message}".TrimStart(':', ' '))}",
                exception?.StackTrace);
        }
    }

    internal static TypedData ToTypedData(object? value) => value switch
    {
        null => new TypedData(),
        ParameterBindingData data => new TypedData
        {
            ModelBindingData = new ModelBindingData
            {
                Version = data.Version,
                Source = data.Source,
                ContentType = data.ContentType,
                Content = ByteString.CopyFrom(data.Content.ToMemory().Span),
            },
        },
        string text => new TypedData { String = text },
        byte[] bytes => new TypedData { Bytes = ByteString.CopyFrom(bytes) },
        _ => new TypedData { Json = Newtonsoft.Json.JsonConvert.SerializeObject(value) },
    };
}

/// <summary>Gives WebJobs the class emitted from the worker's metadata (and nothing else to scan).</summary>
internal sealed class WorkerTypeLocator(IServiceProvider services, WorkerHandle worker) : ITypeLocator
{
    private readonly Lazy<Type> _type = new(() => WorkerTriggerFunctions.Emit(
        worker.Worker.Functions, services.GetRequiredService<IJobHostMetadataProvider>()));

    public IReadOnlyList<Type> GetTypes() => [_type.Value];
}
