namespace TipIntake.Benchmarks.Flood;

/// <summary>One reporter's report: when it was started, whether and when it was accepted, what it paid.</summary>
/// <param name="Marker">A word in its narrative, by which its row in <c>Tips</c> is found.</param>
/// <param name="Outcome">"202"/"200" when accepted, else the last status or "deadline".</param>
/// <param name="Efforts">The efforts it solved for, in order (raised ones after the first); empty on the no-script path.</param>
/// <param name="Tried">Counters its stamp search tried; with <paramref name="SolvingMs"/>, the reporter's hash rate under the flood.</param>
/// <param name="Refusals">The problem types of the refusals its posts met, in order (what made it slow).</param>
public sealed record ReportResult(
    int Index,
    string Marker,
    DateTimeOffset StartedAt,
    bool Accepted,
    TimeSpan Elapsed,
    string Outcome,
    int Attempts,
    IReadOnlyList<int> Efforts,
    int Raised,
    long Tried = 0,
    double SolvingMs = 0,
    IReadOnlyList<string>? Refusals = null)
{
    public DateTimeOffset? AcceptedAt => Accepted ? StartedAt + Elapsed : null;

    /// <summary>Set once the report's row is seen in <c>Tips</c>.</summary>
    public DateTimeOffset? StoredAt { get; set; }
}
