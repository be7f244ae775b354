namespace TipIntake.Functions.Triggers;

/// <summary>
/// The triage API's reads (contract 6): counts, lists (urgent first, keyset-paged), the overdue view, search, one
/// tip, its audit trail, its related tips. Readers and editors only; every answer is no-store.
/// </summary>
[ResponsePolicy(ContentPolicy.Strict), StaffOnly(StaffAccess.Read)]
public sealed class TriageReads(TriageService triage, TriageLists lists, RelatedReports related, Gazetteer gazetteer)
{
    [Function("TriageCounts")]
    public async Task<IResult> Counts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/counts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        Json(new TipCountsBody(await lists.CountsAsync(cancellationToken)), TriageJsonContext.Default.TipCountsBody);

    [Function("TriageList")]
    public async Task<IResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (queue, status, pageSize, continuation, problem) = TriageRequests.ReadListQuery(request);
        return problem ?? Listing(await lists.ListAsync(queue, status, pageSize, continuation, cancellationToken));
    }

    [Function("TriageOverdue")]
    public async Task<IResult> Overdue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/overdue")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (_, _, pageSize, continuation, problem) = TriageRequests.ReadListQuery(request);
        return problem ?? Listing(await lists.OverdueAsync(pageSize, continuation, cancellationToken));
    }

    /// <summary>GET api/triage/search: words (any script) and filters, all of which a tip must match. The query is never logged or audited.</summary>
    [Function("TriageSearch")]
    public async Task<IResult> Search(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/search")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (search, problem) = TriageRequests.ReadSearchQuery(request);
        return problem ?? Listing(await lists.SearchAsync(search!, request.StaffMember(), cancellationToken));
    }

    [Function("TriageRelated")]
    public async Task<IResult> Related(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips/{id}/related")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        JsonOrNoTip(await related.ListAsync(id, cancellationToken) is { } items
            ? new RelatedTipsBody([.. items.Select(item => new RelatedTipBody(item.Tip, [.. item.Reasons.Select(Reason)], item.State))])
            : null, TriageJsonContext.Default.RelatedTipsBody);

    [Function("TriageTip")]
    public async Task<IResult> Tip(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        await triage.GetAsync(id, request.StaffMember(), cancellationToken) is { } detail ? Detail(request, detail) : Problems.TipNotFound();

    [Function("TriageEvents")]
    public async Task<IResult> Events(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips/{id}/events")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        JsonOrNoTip(TipEventsBody.From(await triage.EventsAsync(id, cancellationToken)), TriageJsonContext.Default.TipEventsBody);

    /// <summary>A tip with its ETag header, as reads and changes answer it.</summary>
    internal static IResult Detail(HttpRequest request, TipDetail detail)
    {
        request.HttpContext.Response.Headers.ETag = TriageRequests.ToEntityTag(detail.Version);
        return Json(TipDetailBody.From(detail), TriageJsonContext.Default.TipDetailBody);
    }

    internal static IResult Json<T>(T value, JsonTypeInfo<T> typeInfo) => TypedResults.Json(value, typeInfo, "application/json");

    /// <summary>A read of one tip's part: the body, or 404 when there is no such tip.</summary>
    private static IResult JsonOrNoTip<T>(T? value, JsonTypeInfo<T> typeInfo)
        where T : class => value is null ? Problems.TipNotFound() : Json(value, typeInfo);

    /// <summary>A reason as staff read it: the gazetteer's spellings of a shared place, the number of shared words.</summary>
    private RelationReasonBody Reason(RelationReason reason) => reason.Code switch
    {
        RelationReasons.SamePlaceWeeks when reason.Detail is { } place && gazetteer.Find(place) is { } known =>
            new RelationReasonBody(reason.Code, known.Id, known.Names, null),
        RelationReasons.SharedWords when int.TryParse(reason.Detail, CultureInfo.InvariantCulture, out var count) =>
            new RelationReasonBody(reason.Code, null, null, count),
        _ => new RelationReasonBody(reason.Code, null, null, null),
    };

    private static IResult Listing(TriageListing listing) => listing switch
    {
        TriageListing.Page page => Json(page.Value, TriageJsonContext.Default.TipPage),
        TriageListing.InvalidInput invalid => Problems.BadRequest(invalid.Code, invalid.Detail),
        _ => throw new InvalidOperationException($"Unknown listing {listing.GetType().Name}."),
    };
}
