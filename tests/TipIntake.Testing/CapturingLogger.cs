using Microsoft.Extensions.Logging;

namespace TipIntake.Testing;

/// <summary>Keeps every log line: the formatted message, each structured value, and any exception in full.</summary>
public sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Everything logged, as one text to search.</summary>
    public string AllText => string.Join('\n', Lines);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"))
            : "";
        var line = $"{logLevel} {eventId.Id}: {formatter(state, exception)} [{values}] {exception}";
        lock (_gate)
        {
            _lines.Add(line);
        }
    }
}
