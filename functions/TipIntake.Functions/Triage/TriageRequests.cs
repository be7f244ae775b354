namespace TipIntake.Functions.Triage;

/// <summary>
/// Reading triage requests: bounded strict JSON bodies, query values (null when absent or empty; one given twice is
/// refused), and ETags. Each read gives a value or the problem to answer; the values' own checks are the service's.
/// </summary>
public static class TriageRequests
{
    public const int MaxBodyBytes = 16 * 1024;

    private static readonly string[] ListNames = ["queue", "status", "pageSize", "continuation"];
    private static readonly string[] SearchNames = [.. ListNames, "q", "category", "urgency", "country", "receivedFrom", "receivedTo", "label", "assignee", "awaiting", "answers"];

    /// <summary>An <c>application/json</c> body of at most 16 KiB; unknown, duplicate, missing or mistyped members fail.</summary>
    public static Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class =>
        ReadJsonAsync(request, typeInfo, MaxBodyBytes, cancellationToken);

    /// <summary>A JSON body of at most <paramref name="maxBodyBytes"/> (a follow-up message carries two JWEs).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadJsonAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, int maxBodyBytes, CancellationToken cancellationToken)
        where T : class
    {
        var (fault, value) = await RequestBody.ReadJsonAsync(request, maxBodyBytes, body => JsonSerializer.Deserialize(body.AsSpan(), typeInfo), cancellationToken).ConfigureAwait(false);
        return fault switch
        {
            BodyFault.None => (value, null),
            BodyFault.Malformed => (null, Problems.BadRequest("malformed-json", "The body must be a JSON object for this request: no unknown, duplicate, missing or mistyped members.")),
            BodyFault.TooLarge => (null, Problems.Of(413, "triage-too-large", "Request too large", $"This triage request's body is at most {maxBodyBytes} bytes.")),
            _ => (null, Problems.ForBody(fault, "application/json", triage: true)),
        };
    }

    /// <summary><c>queue</c>, <c>status</c>, <c>pageSize</c> and <c>continuation</c>.</summary>
    public static (string? Queue, string? Status, int? PageSize, string? Continuation, IResult? Problem) ReadListQuery(HttpRequest request)
    {
        var pageSizeValid = TryPageSize(request, out var pageSize);
        var problem = Repeated(request, ListNames) ?? (pageSizeValid ? null : InvalidPageSize);
        return problem is null ? (Query(request, "queue"), Query(request, "status"), pageSize, Query(request, "continuation"), null) : (null, null, null, null, problem);
    }

    /// <summary>
    /// A search: <c>q</c> (words), <c>category</c>, <c>urgency</c>, <c>country</c>, <c>receivedFrom</c> and
    /// <c>receivedTo</c> (YYYY-MM-DD), <c>label</c>, <c>assignee</c>, <c>status</c>, <c>queue</c>, <c>pageSize</c>, <c>continuation</c>.
    /// </summary>
    public static (SearchRequest? Search, IResult? Problem) ReadSearchQuery(HttpRequest request)
    {
        var (datesValid, pageSizeValid) = (TryDate(request, "receivedFrom", out var from) & TryDate(request, "receivedTo", out var to), TryPageSize(request, out var pageSize));
        var problem = Repeated(request, SearchNames)
            ?? (!datesValid ? Problems.BadRequest("invalid-date", "Dates are YYYY-MM-DD.") : pageSizeValid ? null : InvalidPageSize);
        return problem is not null ? (null, problem) : (new SearchRequest(
            Query(request, "q"), Query(request, "category"), Query(request, "urgency"), Query(request, "country"), from, to, Query(request, "label"),
            Query(request, "assignee"), Query(request, "status"), Query(request, "queue"), pageSize, Query(request, "continuation"),
            Query(request, "awaiting"), Query(request, "answers")), null);
    }

    private static string? Query(HttpRequest request, string name) => request.Query[name] is { Count: 1 } values && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static ProblemHttpResult? Repeated(HttpRequest request, string[] names) => names.Any(name => request.Query[name].Count > 1)
        ? Problems.BadRequest("repeated-parameter", "Give each query parameter at most once.")
        : null;

    private static bool TryPageSize(HttpRequest request, out int? pageSize)
    {
        var value = Query(request, "pageSize");
        pageSize = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        return value is null || pageSize is not null;
    }

    private static bool TryDate(HttpRequest request, string name, out DateOnly? date)
    {
        var value = Query(request, name);
        date = DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
        return value is null || date is not null;
    }

    private static ProblemHttpResult InvalidPageSize => Problems.BadRequest("invalid-page-size", "The page size is a whole number from 1 to 100.");

    /// <summary>
    /// The HTTP form of a tip's version (its count of triage changes): a strong entity tag. Never the storage ETag,
    /// which encodes the row's write time to 100 ns (docs/security.md).
    /// </summary>
    public static string ToEntityTag(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>What an entity tag this service did not issue stands for: a version no tip has.</summary>
    private const long UnknownVersion = -1;

    /// <summary>
    /// The version named by <c>If-Match</c>: a 428 problem when it is missing or <c>*</c> (a change must name what it
    /// read); an entity tag this service did not issue becomes a version that matches nothing (412 later).
    /// </summary>
    public static (long? Version, IResult? Problem) ReadIfMatch(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.IfMatch;
        if (header.Count != 1 || string.IsNullOrWhiteSpace(header[0]) || header[0]!.Trim() == "*")
        {
            return (null, Problems.PreconditionRequired());
        }

        var tag = header[0]!.Trim();
        return tag.Length > 2 && tag[0] == '"' && tag[^1] == '"' && !tag.AsSpan(1, tag.Length - 2).ContainsAnyExceptInRange('0', '9')
            && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (UnknownVersion, null);
    }
}
