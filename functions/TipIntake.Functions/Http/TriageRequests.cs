using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TipIntake.Core.Triage.Search;

namespace TipIntake.Functions.Http;

/// <summary>Reading triage requests: bounded strict JSON bodies, query values, and ETags.</summary>
public static class TriageRequests
{
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>
    /// Reads an <c>application/json</c> body of at most 16 KiB into <typeparamref name="T"/>; unknown, duplicate,
    /// missing or mistyped members fail. Returns the value, or the problem to answer.
    /// </summary>
    public static async Task<(T? Value, IActionResult? Problem)> ReadJsonAsync<T>(
        HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, TriageProblems.UnsupportedMediaType());
        }

        var (status, body) = await BoundedRequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        using (body)
        {
            switch (status)
            {
                case BoundedRequestBody.Status.TooLarge:
                    return (null, TriageProblems.TooLarge(MaxBodyBytes));
                case BoundedRequestBody.Status.TimedOut:
                    return (null, TriageProblems.RequestTimeout());
                case BoundedRequestBody.Status.Unreadable:
                    return (null, TriageProblems.BadRequest("unreadable-body", "The request body could not be read: its framing (Content-Length or chunked encoding) is broken."));
            }

            try
            {
                return JsonSerializer.Deserialize(body!.Bytes.Span, typeInfo) is { } value
                    ? (value, null)
                    : (null, TriageProblems.BadRequest("malformed-json", "The body must be a JSON object."));
            }
            catch (JsonException)
            {
                // The parser's message may quote the body; the answer does not.
                return (null, TriageProblems.BadRequest(
                    "malformed-json", "The body is not valid JSON for this request: unknown, duplicate, missing or mistyped members."));
            }
        }
    }

    /// <summary>A query value, or null when absent or empty; repeated values are refused.</summary>
    public static bool TryQuery(HttpRequest request, string name, out string? value)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Query[name];
        value = values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
        return values.Count <= 1;
    }

    /// <summary>Reads <c>queue</c>, <c>status</c>, <c>pageSize</c> and <c>continuation</c>, or the problem to answer.</summary>
    public static (string? Queue, string? Status, int? PageSize, string? Continuation, IActionResult? Problem) ReadListQuery(HttpRequest request)
    {
        if (!TryQuery(request, "queue", out var queue) || !TryQuery(request, "status", out var status)
            || !TryQuery(request, "pageSize", out var size) || !TryQuery(request, "continuation", out var continuation))
        {
            return (null, null, null, null, TriageProblems.BadRequest("repeated-parameter", "Give each query parameter at most once."));
        }

        int? pageSize = null;
        if (size is not null)
        {
            if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return (null, null, null, null, TriageProblems.BadRequest("invalid-page-size", "The page size is a whole number from 1 to 100."));
            }

            pageSize = parsed;
        }

        return (queue, status, pageSize, continuation, null);
    }

    /// <summary>
    /// Reads a search: <c>q</c> (words), <c>category</c>, <c>urgency</c>, <c>country</c>, <c>receivedFrom</c> and
    /// <c>receivedTo</c> (YYYY-MM-DD), <c>label</c>, <c>assignee</c>, <c>status</c>, <c>queue</c>, <c>pageSize</c>,
    /// <c>continuation</c> — or the problem to answer. The values' own checks are the service's.
    /// </summary>
    public static (SearchRequest? Search, IActionResult? Problem) ReadSearchQuery(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string[] names = ["q", "category", "urgency", "country", "receivedFrom", "receivedTo", "label", "assignee", "status", "queue", "pageSize", "continuation"];
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!TryQuery(request, name, out var value))
            {
                return (null, TriageProblems.BadRequest("repeated-parameter", "Give each query parameter at most once."));
            }

            values[name] = value;
        }

        if (!TryDate(values["receivedFrom"], out var from) || !TryDate(values["receivedTo"], out var to))
        {
            return (null, TriageProblems.BadRequest("invalid-date", "Dates are YYYY-MM-DD."));
        }

        int? pageSize = null;
        if (values["pageSize"] is { } size)
        {
            if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return (null, TriageProblems.BadRequest("invalid-page-size", "The page size is a whole number from 1 to 100."));
            }

            pageSize = parsed;
        }

        return (new SearchRequest(
            values["q"], values["category"], values["urgency"], values["country"], from, to, values["label"], values["assignee"],
            values["status"], values["queue"], pageSize, values["continuation"]), null);

        static bool TryDate(string? value, out DateOnly? date)
        {
            date = null;
            if (value is null)
            {
                return true;
            }

            if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return false;
            }

            date = parsed;
            return true;
        }
    }

    /// <summary>
    /// The HTTP form of a tip's version (its count of triage changes): a strong entity tag. Never the storage ETag,
    /// which encodes the row's write time to 100 ns (docs/security.md).
    /// </summary>
    public static string ToEntityTag(long version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>
    /// The version named by <c>If-Match</c>: null with a 428 problem when it is missing or <c>*</c> (a change must name
    /// what it read); an entity tag this service did not issue becomes a version that matches nothing (412 later).
    /// </summary>
    /// <summary>What an entity tag this service did not issue stands for: a version no tip has.</summary>
    private const long UnknownVersion = -1;

    public static (long? Version, IActionResult? Problem) ReadIfMatch(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.IfMatch;
        if (header.Count != 1 || string.IsNullOrWhiteSpace(header[0]) || header[0]!.Trim() == "*")
        {
            return (null, TriageProblems.PreconditionRequired());
        }

        var tag = header[0]!.Trim();
        return tag.Length > 2 && tag[0] == '"' && tag[^1] == '"' && !tag.AsSpan(1, tag.Length - 2).ContainsAnyExceptInRange('0', '9')
            && long.TryParse(tag.AsSpan(1, tag.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (version, null)
            : (UnknownVersion, null);
    }
}
