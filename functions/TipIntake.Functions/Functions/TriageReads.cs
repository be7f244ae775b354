using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using TipIntake.Core.Staff;
using TipIntake.Core.Triage;
using TipIntake.Core.Triage.Related;
using TipIntake.Core.Triage.Search;
using TipIntake.Functions.Http;

namespace TipIntake.Functions.Functions;

/// <summary>
/// The triage API's reads (contract 6): counts, lists (urgent first, keyset-paged), the overdue view, search, one
/// tip, its audit trail, its related tips. Readers and editors only; every answer is no-store.
/// </summary>
public sealed class TriageReads(
    IStaffAuthenticator authenticator, TriageService triage, TriageLists lists, RelatedReports related, Gazetteer gazetteer)
{
    [Function("TriageCounts")]
    public Task<IActionResult> Counts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/counts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Read, async _ =>
        {
            var counts = await lists.CountsAsync(cancellationToken);
            return Json(new TipCountsBody(counts), TriageJsonContext.Default.TipCountsBody);
        }, cancellationToken);

    [Function("TriageList")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips")] HttpRequest request,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Read, async _ =>
        {
            var (queue, status, pageSize, continuation, problem) = TriageRequests.ReadListQuery(request);
            return problem ?? Listing(await lists.ListAsync(queue, status, pageSize, continuation, cancellationToken));
        }, cancellationToken);

    [Function("TriageOverdue")]
    public Task<IActionResult> Overdue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/overdue")] HttpRequest request,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Read, async _ =>
        {
            var (_, _, pageSize, continuation, problem) = TriageRequests.ReadListQuery(request);
            return problem ?? Listing(await lists.OverdueAsync(pageSize, continuation, cancellationToken));
        }, cancellationToken);

    /// <summary>GET api/triage/search: words (any script) and filters, all of which a tip must match. The query is never logged or audited.</summary>
    [Function("TriageSearch")]
    public Task<IActionResult> Search(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/search")] HttpRequest request,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Read, async member =>
        {
            var (search, problem) = TriageRequests.ReadSearchQuery(request);
            return problem ?? Listing(await lists.SearchAsync(search!, member, cancellationToken));
        }, cancellationToken);

    [Function("TriageRelated")]
    public Task<IActionResult> Related(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips/{id}/related")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Read, async _ =>
            await related.ListAsync(id, cancellationToken) is { } items
                ? Json(new RelatedTipsBody([.. items.Select(item => new RelatedTipBody(item.Tip, [.. item.Reasons.Select(Reason)], item.State))]),
                    TriageJsonContext.Default.RelatedTipsBody)
                : TriageProblems.NotFound(),
            cancellationToken);

    [Function("TriageTip")]
    public Task<IActionResult> Tip(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Read, async member =>
            await triage.GetAsync(id, member, cancellationToken) is { } detail ? Detail(detail) : TriageProblems.NotFound(),
            cancellationToken);

    [Function("TriageEvents")]
    public Task<IActionResult> Events(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips/{id}/events")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        StaffGate.RunAsync(authenticator, request, StaffAccess.Read, async _ =>
            await triage.EventsAsync(id, cancellationToken) is { } events
                ? Json(new TipEventsBody([.. events.Select(e => new TipEventBody(e.At, e.Actor, e.Action, e.From, e.To))]), TriageJsonContext.Default.TipEventsBody)
                : TriageProblems.NotFound(),
            cancellationToken);

    /// <summary>A tip with its ETag header, as reads and changes answer it.</summary>
    internal static IActionResult Detail(TipDetail detail)
    {
        var result = Json(TipDetailBody.From(detail), TriageJsonContext.Default.TipDetailBody);
        result.Headers["ETag"] = TriageRequests.ToEntityTag(detail.Version);
        return result;
    }

    /// <summary>A reason as staff read it: the gazetteer's spellings of a shared place, the number of shared words.</summary>
    private RelationReasonBody Reason(RelationReason reason) => reason.Code switch
    {
        RelationReasons.SamePlaceWeeks when reason.Detail is { } place && gazetteer.Find(place) is { } known =>
            new RelationReasonBody(reason.Code, known.Id, known.Names, null),
        RelationReasons.SharedWords when int.TryParse(reason.Detail, System.Globalization.CultureInfo.InvariantCulture, out var count) =>
            new RelationReasonBody(reason.Code, null, null, count),
        _ => new RelationReasonBody(reason.Code, null, null, null),
    };

    internal static IActionResult Listing(TriageListing listing) => listing switch
    {
        TriageListing.Page page => Json(page.Value, TriageJsonContext.Default.TipPage),
        TriageListing.InvalidInput invalid => TriageProblems.BadRequest(invalid.Code, invalid.Detail),
        _ => throw new InvalidOperationException($"Unknown listing {listing.GetType().Name}."),
    };

    private static JsonBodyResult<T> Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo) =>
        new(StatusCodes.Status200OK, value, typeInfo, "application/json", SecurityHeaders.NoStore);
}
