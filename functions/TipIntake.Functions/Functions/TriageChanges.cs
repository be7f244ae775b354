using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Staff;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Related;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Functions;

/// <summary>
/// The triage API's changes (contract 6): status, assignment, labels, notes, and links between related tips. Editors
/// only; a change of a tip needs If-Match with the ETag the editor read (428 without, 412 when stale) and answers the
/// changed tip with its new ETag. Notes can only be added: no route edits or deletes one. A link changes neither tip.
/// A flood's spam, untouched, can be dismissed many tips at a time.
/// </summary>
public sealed class TriageChanges(IStaffAuthenticator authenticator, TriageService triage, RelatedReports related)
{
    /// <summary>POST api/triage/tips/{id}/related/{otherId} with <c>{"state":"linked"}</c> or <c>{"state":"unlinked"}</c>: audited on both tips.</summary>
    [Function("TriageRelate")]
    public Task<IActionResult> Relate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/related/{otherId}")] HttpRequest request,
        string id,
        string otherId,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Edit, async member =>
        {
            var (body, problem) = await TriageRequests.ReadJsonAsync(request, TriageJsonContext.Default.RelationRequest, cancellationToken);
            if (body is null)
            {
                return problem!;
            }

            if (body.State is not (RelationStates.Linked or RelationStates.Unlinked))
            {
                return TriageProblems.Invalid("invalid-state", "The state must be linked or unlinked.");
            }

            return await related.DecideAsync(id, otherId, body.State == RelationStates.Linked, member, cancellationToken) switch
            {
                RelationChange.Decided decided => new JsonBodyResult<RelationDecisionBody>(
                    StatusCodes.Status200OK, new RelationDecisionBody(id, otherId, decided.State, decided.Before),
                    TriageJsonContext.Default.RelationDecisionBody, "application/json", SecurityHeaders.NoStore),
                RelationChange.InvalidInput invalid => TriageProblems.Invalid(invalid.Code, invalid.Detail),
                _ => TriageProblems.NotFound(),
            };
        }, cancellationToken);

    [Function("TriageChangeStatus")]
    public Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/status")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync(request, TriageJsonContext.Default.StatusRequest, (body, version, member) =>
            triage.ChangeStatusAsync(id, version, body.Status, member, cancellationToken), cancellationToken);

    [Function("TriageAssign")]
    public Task<IActionResult> Assign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/assignment")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync(request, TriageJsonContext.Default.AssignmentRequest, (body, version, member) =>
            triage.AssignAsync(id, version, body.Assignee, member, cancellationToken), cancellationToken);

    [Function("TriageLabels")]
    public Task<IActionResult> Labels(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/labels")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync(request, TriageJsonContext.Default.LabelsRequest, (body, version, member) =>
            triage.ChangeLabelsAsync(id, version, body.Add, body.Remove, member, cancellationToken), cancellationToken);

    [Function("TriageAddNote")]
    public Task<IActionResult> AddNote(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/notes")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        ChangeAsync(request, TriageJsonContext.Default.NoteRequest, (body, version, member) =>
            triage.AddNoteAsync(id, version, body.Text, member, cancellationToken), cancellationToken);

    /// <summary>
    /// Dismisses up to 100 untouched tips (new, version 0) at once, each with its own audit event; no If-Match (the
    /// guard is that each is still untouched). 200 with what was dismissed and what was skipped (docs/triage.md).
    /// </summary>
    [Function("TriageDismissInBulk")]
    public Task<IActionResult> DismissInBulk(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/dismissals")] HttpRequest request,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Edit, async member =>
        {
            var (body, problem) = await TriageRequests.ReadJsonAsync(request, TriageJsonContext.Default.DismissalRequest, cancellationToken);
            if (body is null)
            {
                return problem!;
            }

            return await triage.DismissUntouchedAsync(body.TipIds, member, cancellationToken) switch
            {
                BulkDismissal.Done done => new JsonBodyResult<DismissalBody>(
                    StatusCodes.Status200OK, new DismissalBody(done.Dismissed, done.Skipped), TriageJsonContext.Default.DismissalBody, "application/json", SecurityHeaders.NoStore),
                BulkDismissal.InvalidInput invalid => TriageProblems.Invalid(invalid.Code, invalid.Detail),
                var other => throw new InvalidOperationException($"Unknown bulk dismissal outcome {other.GetType().Name}."),
            };
        }, cancellationToken);

    /// <summary>The gate, If-Match, the body, the change, and its outcome as HTTP: the same for every change.</summary>
    private Task<IActionResult> ChangeAsync<T>(
        HttpRequest request,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo,
        Func<T, long, StaffMember, Task<TriageChange>> change,
        CancellationToken cancellationToken)
        where T : class =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Edit, async member =>
        {
            var (version, missing) = TriageRequests.ReadIfMatch(request);
            if (version is null)
            {
                return missing!;
            }

            var (body, problem) = await TriageRequests.ReadJsonAsync(request, typeInfo, cancellationToken);
            if (body is null)
            {
                return problem!;
            }

            return await change(body, version.Value, member) switch
            {
                TriageChange.Changed changed => TriageReads.Detail(changed.Tip),
                TriageChange.NotFound => TriageProblems.NotFound(),
                TriageChange.VersionConflict => TriageProblems.PreconditionFailed(),
                TriageChange.InvalidTransition invalid => TriageProblems.InvalidTransition(invalid.From, invalid.To),
                TriageChange.InvalidInput invalid => TriageProblems.Invalid(invalid.Code, invalid.Detail),
                var other => throw new InvalidOperationException($"Unknown triage change outcome {other.GetType().Name}."),
            };
        }, cancellationToken);
}
