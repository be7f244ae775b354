namespace TipIntake.Core.Triage;

/// <summary>The statuses a tip moves through in triage. <see cref="New"/> is what the processor writes.</summary>
public static class TriageStatuses
{
    public const string New = "new";
    public const string InReview = "in-review";
    public const string Verified = "verified";
    public const string Escalated = "escalated";
    public const string Dismissed = "dismissed";
    public const string Closed = "closed";

    public static IReadOnlyList<string> All { get; } = [New, InReview, Verified, Escalated, Dismissed, Closed];
}

/// <summary>
/// The triage workflow as a table: from each status, the statuses it may move to. Anything not in the table — the
/// same status again, an unknown status, any move out of <c>closed</c> — is an invalid transition.
/// </summary>
public static class TriageWorkflow
{
    private static readonly Dictionary<string, string[]> Transitions = new(StringComparer.Ordinal)
    {
        [TriageStatuses.New] = [TriageStatuses.InReview],
        [TriageStatuses.InReview] = [TriageStatuses.Verified, TriageStatuses.Escalated, TriageStatuses.Dismissed],
        [TriageStatuses.Verified] = [TriageStatuses.Escalated, TriageStatuses.Closed],
        [TriageStatuses.Escalated] = [TriageStatuses.Closed],
        [TriageStatuses.Dismissed] = [TriageStatuses.Closed, TriageStatuses.InReview],
        [TriageStatuses.Closed] = [],
    };

    public static bool IsKnown(string? status) => status is not null && Transitions.ContainsKey(status);

    public static bool CanMove(string from, string to) =>
        Transitions.TryGetValue(from, out var next) && next.Contains(to, StringComparer.Ordinal);

    /// <summary>Where a tip in <paramref name="from"/> may go next (empty for an unknown or final status).</summary>
    public static IReadOnlyList<string> NextOf(string from) => Transitions.TryGetValue(from, out var next) ? next : [];
}
