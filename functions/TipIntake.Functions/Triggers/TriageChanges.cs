namespace TipIntake.Functions.Triggers;

/// <summary>
/// The triage API's changes (contract 6): status, assignment, labels, notes, and links between related tips. Editors
/// only; a change of a tip needs If-Match with the ETag the editor read (428 without, 412 when stale) and answers the
/// changed tip with its new ETag. Notes can only be added: no route edits or deletes one. A link changes neither tip.
/// A flood's spam, untouched, can be dismissed many tips at a time.
/// </summary>
[ResponsePolicy(ContentPolicy.Strict), StaffOnly(StaffAccess.Edit)]
public sealed class TriageChanges(TriageService triage, RelatedReports related)
{
    /// <summary>POST api/triage/tips/{id}/related/{otherId} with <c>{"state":"linked"}</c> or <c>{"state":"unlinked"}</c>: audited on both tips.</summary>
    [Function("TriageRelate")]
    public async Task<IResult> Relate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/related/{otherId}")] HttpRequest request,
        string id,
        string otherId,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await TriageRequests.ReadJsonAsync(request, TriageJsonContext.Default.RelationRequest, cancellationToken);
        if (body is null || body.State is not (RelationStates.Linked or RelationStates.Unlinked))
        {
            return problem ?? Problems.Invalid("invalid-state", "The state must be linked or unlinked.");
        }

        return await related.DecideAsync(id, otherId, body.State == RelationStates.Linked, request.StaffMember(), cancellationToken) switch
        {
            RelationChange.Decided decided =>
                TriageReads.Json(new RelationDecisionBody(id, otherId, decided.State, decided.Before), TriageJsonContext.Default.RelationDecisionBody),
            RelationChange.InvalidInput invalid => Problems.Invalid(invalid.Code, invalid.Detail),
            _ => Problems.TipNotFound(),
        };
    }

    /// <summary>
    /// POST api/triage/tips/{id}/status, …/assignment, …/labels or …/notes: one change of a tip, read and answered the
    /// same way (<see cref="ChangeAsync"/>); any other name is no such resource.
    /// </summary>
    [Function("TriageChange")]
    public Task<IResult> Change(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/{change}")] HttpRequest request,
        string id,
        string change,
        CancellationToken cancellationToken) => change switch
        {
            "status" => ChangeAsync(request, TriageJsonContext.Default.StatusRequest, (body, version, member) =>
                triage.ChangeStatusAsync(id, version, body.Status, member, cancellationToken), cancellationToken),
            "assignment" => ChangeAsync(request, TriageJsonContext.Default.AssignmentRequest, (body, version, member) =>
                triage.AssignAsync(id, version, body.Assignee, member, cancellationToken), cancellationToken),
            "labels" => ChangeAsync(request, TriageJsonContext.Default.LabelsRequest, (body, version, member) =>
                triage.ChangeLabelsAsync(id, version, body.Add, body.Remove, member, cancellationToken), cancellationToken),
            "notes" => ChangeAsync(request, TriageJsonContext.Default.NoteRequest, (body, version, member) =>
                triage.AddNoteAsync(id, version, body.Text, member, cancellationToken), cancellationToken),
            _ => Task.FromResult<IResult>(Problems.NotFound()),
        };

    /// <summary>
    /// Dismisses up to 100 untouched tips (new, version 0) at once, each with its own audit event; no If-Match (the
    /// guard is that each is still untouched). 200 with what was dismissed and what was skipped (docs/triage.md).
    /// </summary>
    [Function("TriageDismissInBulk")]
    public async Task<IResult> DismissInBulk(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/dismissals")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await TriageRequests.ReadJsonAsync(request, TriageJsonContext.Default.DismissalRequest, cancellationToken);
        return body is null ? problem! : await triage.DismissUntouchedAsync(body.TipIds, request.StaffMember(), cancellationToken) switch
        {
            BulkDismissal.Done done => TriageReads.Json(new DismissalBody(done.Dismissed, done.Skipped), TriageJsonContext.Default.DismissalBody),
            BulkDismissal.InvalidInput invalid => Problems.Invalid(invalid.Code, invalid.Detail),
            var other => throw new InvalidOperationException($"Unknown bulk dismissal outcome {other.GetType().Name}."),
        };
    }

    /// <summary>If-Match, the body, the change, and its outcome as HTTP: the same for every change of a tip.</summary>
    private static async Task<IResult> ChangeAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, Func<T, long, StaffMember, Task<TriageChange>> change, CancellationToken cancellationToken)
        where T : class
    {
        var (version, missing) = TriageRequests.ReadIfMatch(request);
        if (version is null)
        {
            return missing!;
        }

        var (body, problem) = await TriageRequests.ReadJsonAsync(request, typeInfo, cancellationToken);
        return body is null ? problem! : await change(body, version.Value, request.StaffMember()) switch
        {
            TriageChange.Changed changed => TriageReads.Detail(request, changed.Tip),
            TriageChange.NotFound => Problems.TipNotFound(),
            TriageChange.VersionConflict => Problems.PreconditionFailed(),
            TriageChange.InvalidTransition invalid => Problems.InvalidTransition(invalid.From, invalid.To),
            TriageChange.InvalidInput invalid => Problems.Invalid(invalid.Code, invalid.Detail),
            var other => throw new InvalidOperationException($"Unknown triage change outcome {other.GetType().Name}."),
        };
    }
}
