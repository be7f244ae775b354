using TipIntake.Core.FollowUp;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// A tip's follow-up thread in triage (docs/follow-up.md, "Triage"): reading it (Readers and Editors; audited before
/// anything is shown), sending a message to the reporter and marking answers read (Editors). A message arrives
/// encrypted twice by the staff member's browser; the server checks its shape and never sees its text. Storage down is
/// 503 <c>triage-unavailable</c>, answered by <see cref="StaffOnlyMiddleware"/> as for every triage route.
/// </summary>
[ResponsePolicy(ContentPolicy.Strict), StaffOnly(StaffAccess.Edit)]
public sealed class TriageThread(StaffThreads threads)
{
    /// <summary>Two JWEs of at most 24,576 characters and the flag.</summary>
    public const int MaxMessageRequestBytes = 64 * 1024;

    [Function("TriageReadThread")]
    [StaffOnly(StaffAccess.Read)]
    public async Task<IResult> Read(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips/{id}/thread")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await threads.ReadAsync(id, request.StaffMember(), cancellationToken) is { } thread
            ? TriageReads.Json(ThreadBody.Of(thread), TriageJsonContext.Default.ThreadBody)
            : Problems.TipNotFound();

    [Function("TriageSendMessage")]
    public async Task<IResult> Send(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/messages")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await TriageRequests.ReadJsonAsync(request, TriageJsonContext.Default.MessageRequest, MaxMessageRequestBytes, cancellationToken);
        if (body is null)
        {
            return problem!;
        }

        return await threads.SendAsync(id, body.ToReporter, body.ForStaff, body.AwaitReply, request.StaffMember(), cancellationToken) switch
        {
            MessageOutcome.Sent sent => TypedResults.Json(new MessageSentBody(sent.Id), TriageJsonContext.Default.MessageSentBody, "application/json", StatusCodes.Status201Created),
            MessageOutcome.NotFound => Problems.TipNotFound(),
            MessageOutcome.Unavailable => Problems.Of(409, "follow-up-unavailable", "The reporter cannot be reached",
                "This tip has no follow-up thread: the reporter did not enrol, the enrolment was refused, or access has expired."),
            MessageOutcome.KeyChanged => Problems.Of(409, "follow-up-key-changed", "Not the reporter's key",
                "toReporter's kid is not the thumbprint of the reporter's key: read the thread again and encrypt to the key it names."),
            MessageOutcome.Malformed malformed => Problems.Of(400, "message-malformed", "Malformed message", malformed.Detail),
            var other => throw new InvalidOperationException($"Unknown message outcome {other.GetType().Name}."),
        };
    }

    [Function("TriageAnswersRead")]
    public async Task<IResult> MarkRead(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/triage/tips/{id}/thread/read")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await threads.MarkAnswersReadAsync(id, request.StaffMember(), cancellationToken) ? TypedResults.NoContent() : Problems.TipNotFound();
}
