using TipIntake.Core.FollowUp;

namespace TipIntake.Functions.Web;

/// <summary>What the triage page's scripts need to know of the server, sent once in its #triage-facts block.</summary>
public sealed record TriageFacts(
    IReadOnlyList<string> Statuses, IReadOnlyList<string> Categories, IReadOnlyList<string> Urgencies, string EditorRole, int PageSize, TriageFacts.Messages FollowUpMessages)
{
    /// <summary>
    /// The workflow's statuses in workflow order, the tip categories, the urgencies most urgent first (the order the
    /// lists sort by), the app role that may change tips, and the page size the list API uses when none is asked for.
    /// </summary>
    public static TriageFacts Current { get; } = new(
        TriageStatuses.All, TipCategories.All, TipUrgencies.All, StaffRoles.Editor, TriageInput.DefaultPageSize,
        new Messages(StaffThreads.MaxTextCharacters, AnswerReader.PaddingBuckets, StaffThreads.MaxJweLength, JweAlgorithms.MessageV1ContentType));

    /// <summary>What the page needs to write to a reporter (docs/follow-up.md, "Triage"): the text's bound, the padding, the staff copy's cty.</summary>
    public sealed record Messages(int MaxCharacters, IReadOnlyList<int> PaddingBuckets, int MaxJweLength, string ContentType);
}
