namespace TipIntake.Functions.Web;
/// <summary>What the triage page's scripts need to know of the server, sent once in its #triage-facts block.</summary>
public sealed record TriageFacts(IReadOnlyList<string> Statuses, IReadOnlyList<string> Categories, IReadOnlyList<string> Urgencies, string EditorRole, int PageSize)
{ public static TriageFacts Current { get; } = new(Core.Triage.TriageStatuses.All, Core.Tips.TipCategories.All, Core.Tips.TipUrgencies.All, Core.Staff.StaffRoles.Editor, Core.Triage.TriageInput.DefaultPageSize); }
