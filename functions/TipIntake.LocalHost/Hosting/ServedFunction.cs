namespace TipIntake.LocalHost.Hosting;

/// <summary>A function the local host serves, described with the same fields as the SDK-generated functions.metadata.</summary>
public sealed record ServedFunction(
    string Name,
    string TriggerType,
    string? Route = null,
    IReadOnlyList<string>? Methods = null,
    string? AuthLevel = null,
    string? QueueName = null,
    string? Connection = null,
    string? Schedule = null);

/// <summary>Everything the local host serves, so a test can hold it against functions.metadata.</summary>
public sealed class FunctionCatalog
{
    private readonly List<ServedFunction> _functions = [];

    public IReadOnlyList<ServedFunction> Functions => _functions;

    internal void Add(ServedFunction function) => _functions.Add(function);
}
