using System.Text.Json.Nodes;

namespace TipIntake.LocalHost.Worker;

/// <summary>
/// A function as the worker indexed it (<see cref="RpcFunctionMetadata"/>): its name, the id the worker gave it, and
/// its bindings as the raw JSON the worker sent, e.g. <c>{"name":"message","type":"queueTrigger","direction":"In",
/// "queueName":"tips-inbound","connection":"AzureWebJobsStorage"}</c>.
/// </summary>
public sealed class WorkerFunction
{
    internal WorkerFunction(RpcFunctionMetadata metadata)
    {
        Metadata = metadata;
        Bindings = [.. metadata.RawBindings.Select(raw => JsonNode.Parse(raw)?.AsObject() ?? throw new InvalidOperationException($"Function {metadata.Name} has an empty binding."))];
        Trigger = Bindings.SingleOrDefault(binding => TypeOf(binding).EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"Function {metadata.Name} has no trigger binding.");
    }

    public string Name => Metadata.Name;

    public string Id => Metadata.FunctionId;

    public IReadOnlyList<JsonObject> Bindings { get; }

    public JsonObject Trigger { get; }

    /// <summary>The trigger's type as the worker wrote it: <c>httpTrigger</c>, <c>queueTrigger</c>, <c>timerTrigger</c>, …</summary>
    public string TriggerType => TypeOf(Trigger);

    /// <summary>The trigger parameter's binding name, under which an invocation sends its input.</summary>
    public string TriggerName => (string?)Trigger["name"] ?? throw new InvalidOperationException($"Function {Name}'s trigger has no name.");

    public bool IsHttp => TriggerType.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);

    internal RpcFunctionMetadata Metadata { get; }

    /// <summary>
    /// What the worker needs to load the function: its metadata as it sent it, plus the bindings map the Functions host
    /// derives from the raw bindings (name → type and direction), which the worker reads to match inputs to parameters.
    /// </summary>
    internal FunctionLoadRequest LoadRequest()
    {
        var metadata = Metadata.Clone();
        metadata.Bindings.Clear();
        foreach (var binding in Bindings)
        {
            var direction = ((string?)binding["direction"])?.ToUpperInvariant() switch
            {
                "OUT" => BindingInfo.Types.Direction.Out,
                "INOUT" => BindingInfo.Types.Direction.Inout,
                _ => BindingInfo.Types.Direction.In,
            };
            var dataType = ((string?)binding["dataType"])?.ToUpperInvariant() switch
            {
                "STRING" => BindingInfo.Types.DataType.String,
                "BINARY" => BindingInfo.Types.DataType.Binary,
                "STREAM" => BindingInfo.Types.DataType.Stream,
                _ => BindingInfo.Types.DataType.Undefined,
            };
            var name = (string?)binding["name"] ?? "$return";
            metadata.Bindings[name] = new BindingInfo { Type = TypeOf(binding), Direction = direction, DataType = dataType };
        }

        return new FunctionLoadRequest { FunctionId = Id, Metadata = metadata };
    }

    private static string TypeOf(JsonObject binding) => (string?)binding["type"] ?? "";
}
