namespace TipIntake.Core.Logging;

/// <summary>
/// Counts refusals by code and reports them as one line per interval, never one line per refusal: a client can send
/// refused requests as fast as it likes, and a line each would fill the log budget and bury what monitoring needs
/// (issue 13, finding 6). The codes are the service's own constants, never request content. Thread-safe; disposing
/// reports what is left.
/// </summary>
public sealed class RefusalTally : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private readonly Action<long, string> _report;
    private Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <param name="report">Called with the total and the counts by code (<c>stamp-invalid 1200, not-ascii 3</c>), once per interval with any.</param>
    public RefusalTally(TimeProvider time, TimeSpan interval, Action<long, string> report)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(report);
        _report = report;
        _timer = time.CreateTimer(static state => ((RefusalTally)state!).Flush(), this, interval, interval);
    }

    public void Add(string code)
    {
        lock (_lock)
        {
            _counts[code] = _counts.GetValueOrDefault(code) + 1;
        }
    }

    /// <summary>Reports and clears the counts so far (the timer does this every interval).</summary>
    public void Flush()
    {
        Dictionary<string, long> counts;
        lock (_lock)
        {
            if (_counts.Count == 0)
            {
                return;
            }

            counts = _counts;
            _counts = new(StringComparer.Ordinal);
        }

        var byCode = string.Join(", ", counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{pair.Key} {pair.Value}")));
        _report(counts.Values.Sum(), byCode);
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }
}

/// <summary>Refused submissions, both paths and every reason (the envelope's shape, the stamp, the effort), one line a minute.</summary>
public sealed partial class SubmissionRefusals : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly RefusalTally _tally;

    public SubmissionRefusals(TimeProvider time, Microsoft.Extensions.Logging.ILogger<SubmissionRefusals> logger) =>
        _tally = new RefusalTally(time, Interval, (total, byCode) => Log.SubmissionsRefused(logger, total, byCode));

    public void Add(string code) => _tally.Add(code);

    public void Flush() => _tally.Flush();

    public void Dispose() => _tally.Dispose();

    private static partial class Log
    {
        [LoggerMessage(7010, LogLevel.Information, "Submissions refused in the last minute: {Total} ({ByCode})")]
        public static partial void SubmissionsRefused(ILogger logger, long total, string byCode);
    }
}
