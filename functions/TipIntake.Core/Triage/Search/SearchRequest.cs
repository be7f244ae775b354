namespace TipIntake.Core.Triage.Search;

/// <summary>
/// A staff search: words of the narrative, place or region (any script) and filters, all of which a tip must match.
/// Never logged or audited: the audit records only that a search happened.
/// </summary>
/// <param name="ReceivedFrom">First day (UTC) of the received range, inclusive.</param>
/// <param name="ReceivedTo">Last day (UTC) of the received range, inclusive.</param>
/// <param name="Awaiting"><see cref="AwaitingReporter"/>: only tips waiting for the reporter's reply.</param>
/// <param name="Answers"><see cref="NewAnswers"/>: only tips with answers no one has marked read.</param>
public sealed record SearchRequest(
    string? Text = null,
    string? Category = null,
    string? Urgency = null,
    string? Country = null,
    DateOnly? ReceivedFrom = null,
    DateOnly? ReceivedTo = null,
    string? Label = null,
    string? Assignee = null,
    string? Status = null,
    string? Queue = null,
    int? PageSize = null,
    string? Continuation = null,
    string? Awaiting = null,
    string? Answers = null)
{
    public const string AwaitingReporter = "reporter";
    public const string NewAnswers = "new";
}
