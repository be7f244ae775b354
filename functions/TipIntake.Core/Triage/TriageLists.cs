using TipIntake.Core.Staff;
using TipIntake.Core.Tips;
using TipIntake.Core.Triage.Index;
using TipIntake.Core.Triage.Search;

namespace TipIntake.Core.Triage;

/// <summary>
/// The triage reads that list tips — by queue and status, overdue, counts, search — each from the index: a page is a
/// few point reads of the sets it walks, whatever the number of tips (docs/triage.md, "The index").
/// </summary>
public sealed partial class TriageLists(
    IIndexSets sets,
    ITriageStore store,
    IndexHasher hasher,
    Gazetteer gazetteer,
    TimeProvider time,
    IOptions<TriageOptions> options,
    ILogger<TriageLists> logger)
{
    /// <summary>A search reads at most this many chunks per page; past it, it answers with what it found and a continuation.</summary>
    public const int MaxSearchReads = 64;

    private const string OrderCursor = "o";
    private const string DueCursor = "d";
    private const string SearchCursorInclusive = "si";
    private const string SearchCursorExclusive = "sx";

    /// <summary>Tips by queue and/or status (null = any), urgent first, then newest.</summary>
    public Task<TriageListing> ListAsync(
        string? queue, string? status, int? pageSize, string? continuation, CancellationToken cancellationToken)
    {
        if (queue is not null && !TriageInput.IsQueue(queue))
        {
            return Invalid("invalid-queue", "The queue is not a triage queue name.");
        }

        if (status is not null && !TriageWorkflow.IsKnown(status))
        {
            return Invalid("invalid-status", $"The status must be one of {string.Join(", ", TriageStatuses.All)}.");
        }

        var set = (queue, status) switch
        {
            (null, null) => TriageSets.All,
            ({ } q, null) => TriageSets.Queue(q),
            (null, { } s) => TriageSets.Status(s),
            ({ } q, { } s) => TriageSets.QueueStatus(q, s),
        };
        return PageAsync(set, OrderCursor, IndexKeys.IsOrderKey, upperBound: null, pageSize, continuation, cancellationToken);
    }

    /// <summary>
    /// Imminent tips still new or in review whose last change (or, never changed, their received hour) is older than
    /// <see cref="TriageOptions.OverdueAfter"/>, the longest waiting first. The received hour is coarse by design, so a
    /// never-touched tip may show up to an hour early: for imminent tips, early is the safe side.
    /// </summary>
    public Task<TriageListing> OverdueAsync(int? pageSize, string? continuation, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.OverdueAfter;
        return PageAsync(TriageSets.Due, DueCursor, IndexKeys.IsDueKey, IndexKeys.DueBoundary(cutoff), pageSize, continuation, cancellationToken);
    }

    /// <summary>How many tips each queue holds in each status (only non-zero counts): one read of the index's tally.</summary>
    public async Task<IReadOnlyList<TipCount>> CountsAsync(CancellationToken cancellationToken)
    {
        var tally = await sets.ReadTallyAsync(cancellationToken).ConfigureAwait(false);
        return [.. tally
            .Where(pair => pair.Value > 0)
            .Select(pair => (Names: TriageSets.QueueStatusOf(pair.Key), Count: pair.Value))
            .Where(pair => pair.Names is not null)
            .Select(pair => new TipCount(pair.Names!.Value.Queue, pair.Names.Value.Status, (int)Math.Min(pair.Count, int.MaxValue)))
            .OrderBy(count => count.Queue, StringComparer.Ordinal)
            .ThenBy(count => count.Status, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Tips matching every word and filter of <paramref name="request"/>, urgent first, then newest. That a search
    /// happened is audited (who, when), what was searched for never is, nor logged.
    /// </summary>
    public async Task<TriageListing> SearchAsync(SearchRequest request, StaffMember searcher, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(searcher);
        if (Plan(request) is not { } plan)
        {
            return PlanProblem(request);
        }

        var size = request.PageSize ?? TriageInput.DefaultPageSize;
        if (size is < 1 or > TriageInput.MaxPageSize)
        {
            return new TriageListing.InvalidInput("invalid-page-size", $"The page size is 1 to {TriageInput.MaxPageSize}.");
        }

        var (from, inclusive) = ("", true);
        if (request.Continuation is not null)
        {
            if (IndexCursor.TryDecode(request.Continuation, SearchCursorInclusive, IsSearchKey, out var at))
            {
                (from, inclusive) = (at!, true);
            }
            else if (IndexCursor.TryDecode(request.Continuation, SearchCursorExclusive, IndexKeys.IsOrderKey, out at))
            {
                (from, inclusive) = (at!, false);
            }
            else
            {
                return InvalidContinuation();
            }
        }

        // Before anything is shown: a search that cannot be recorded shows nothing.
        var now = time.GetUtcNow();
        await store.AddEventAsync(
            new TipEvent(SearchAudit.PartitionOf(now), TriageIds.NewTimeOrdered(now), now, searcher.ObjectId, Codes.Of(TipEventAction.Searched), null, null),
            cancellationToken).ConfigureAwait(false);

        var payloads = sets.Open(plan.PayloadSet);
        var cursors = plan.Sets.Select(sets.Open).ToList();
        if (plan.Range is { } range)
        {
            cursors.Add(range);
        }

        var join = new SetJoin(cursors, payloads, MaxSearchReads);
        var found = await join.NextAsync(from, inclusive, size + 1, cancellationToken).ConfigureAwait(false);
        var items = found.Select(entry => SummaryPayload.Read(entry.Payload)).OfType<TipSummary>().ToList();
        string? continuation = null;
        if (found.Count > size)
        {
            items = items.Take(size).ToList();
            continuation = IndexCursor.Encode(SearchCursorExclusive, found[size - 1].Key);
        }
        else if (join.StoppedAt is { } stopped)
        {
            continuation = IndexCursor.Encode(stopped.Inclusive ? SearchCursorInclusive : SearchCursorExclusive, stopped.Key);
        }

        Log.Searched(logger, searcher.ObjectId, items.Count, continuation is not null, join.Reads);
        return new TriageListing.Page(new TipPage(items, continuation));
    }

    private sealed record SearchPlan(IReadOnlyList<string> Sets, string PayloadSet, ReceivedRange? Range);

    /// <summary>The sets a search walks, or null when the request is invalid (<see cref="PlanProblem"/> says why).</summary>
    private SearchPlan? Plan(SearchRequest request)
    {
        if (PlanProblemOrNull(request) is not null)
        {
            return null;
        }

        var terms = request.Text is { Length: > 0 } text ? SearchTerms.OfQuery(text, gazetteer) : [];
        var list = terms.Select(term => TriageSets.Term(hasher, term)).ToList();
        if (request.Category is { } category)
        {
            list.Add(TriageSets.Category(category));
        }

        if (request.Urgency is { } urgency)
        {
            list.Add(TriageSets.Urgency(urgency));
        }

        if (request.Country is { } country)
        {
            list.Add(TriageSets.Country(country));
        }

        if (request.Label is { } label)
        {
            list.Add(TriageSets.Label(hasher, label));
        }

        if (request.Assignee is { } assignee)
        {
            list.Add(TriageSets.Assignee(hasher, TriageInput.NormalizeAssignee(assignee)!));
        }

        if (request.Awaiting is not null)
        {
            list.Add(TriageSets.AwaitingReporter);
        }

        if (request.Answers is not null)
        {
            list.Add(TriageSets.NewAnswers);
        }

        var payloadSet = (request.Queue, request.Status) switch
        {
            (null, null) => TriageSets.All,
            ({ } q, null) => TriageSets.Queue(q),
            (null, { } s) => TriageSets.Status(s),
            ({ } q, { } s) => TriageSets.QueueStatus(q, s),
        };
        ReceivedRange? range = null;
        if (request.ReceivedFrom is not null || request.ReceivedTo is not null)
        {
            var newest = request.ReceivedTo is { } to ? new DateTimeOffset(to.ToDateTime(new TimeOnly(23, 59, 59)), TimeSpan.Zero) : DateTimeOffset.MaxValue.AddYears(-1);
            var oldest = request.ReceivedFrom is { } from ? new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : DateTimeOffset.MinValue;
            range = new ReceivedRange(newest, oldest);
        }

        return new SearchPlan(list, payloadSet, range);
    }

    private TriageListing.InvalidInput PlanProblem(SearchRequest request)
    {
        var (code, detail) = PlanProblemOrNull(request)!.Value;
        return new TriageListing.InvalidInput(code, detail);
    }

    private (string Code, string Detail)? PlanProblemOrNull(SearchRequest request)
    {
        if (request.Text is { } text)
        {
            if (text.Length > SearchTerms.MaxQueryLength)
            {
                return ("invalid-query", $"A search text is at most {SearchTerms.MaxQueryLength} characters.");
            }

            var terms = SearchTerms.OfQuery(text, gazetteer);
            if (terms.Count > SearchTerms.MaxQueryTerms)
            {
                return ("invalid-query", $"A search text may hold at most {SearchTerms.MaxQueryTerms} words or character pairs; search for fewer.");
            }

            if (terms.Count == 0 && text.Trim().Length > 0)
            {
                return ("invalid-query", "The search text has no letters or digits to look for.");
            }
        }

        if (request.Category is { } category && !TipCategories.All.Contains(category, StringComparer.Ordinal))
        {
            return ("invalid-category", $"The category must be one of {string.Join(", ", TipCategories.All)}.");
        }

        if (request.Urgency is { } urgency && !TipUrgencies.All.Contains(urgency, StringComparer.Ordinal))
        {
            return ("invalid-urgency", $"The urgency must be one of {string.Join(", ", TipUrgencies.All)}.");
        }

        if (request.Country is { } country && !CountryCodes.IsAssigned(country))
        {
            return ("invalid-country", "The country must be an ISO 3166-1 alpha-2 code.");
        }

        if (request.Label is { } label && !TriageInput.IsLabel(label))
        {
            return ("invalid-label", $"A label is 1 to {TriageInput.MaxLabelLength} letters, digits or '-'.");
        }

        if (request.Assignee is { } assignee && TriageInput.NormalizeAssignee(assignee) is null)
        {
            return ("invalid-assignee", $"An assignee is 1 to {TriageInput.MaxAssigneeLength} characters without control characters.");
        }

        if (request.Awaiting is { } awaiting && awaiting != SearchRequest.AwaitingReporter)
        {
            return ("invalid-flag", $"'awaiting' takes only '{SearchRequest.AwaitingReporter}'.");
        }

        if (request.Answers is { } answers && answers != SearchRequest.NewAnswers)
        {
            return ("invalid-flag", $"'answers' takes only '{SearchRequest.NewAnswers}'.");
        }

        if (request.Status is { } status && !TriageWorkflow.IsKnown(status))
        {
            return ("invalid-status", $"The status must be one of {string.Join(", ", TriageStatuses.All)}.");
        }

        if (request.Queue is { } queue && !TriageInput.IsQueue(queue))
        {
            return ("invalid-queue", "The queue is not a triage queue name.");
        }

        if (request is { ReceivedFrom: { } first, ReceivedTo: { } last } && first > last)
        {
            return ("invalid-date-range", "The range's first day is after its last.");
        }

        var anything = !string.IsNullOrWhiteSpace(request.Text) || request.Category is not null || request.Urgency is not null
            || request.Country is not null || request.Label is not null || request.Assignee is not null || request.Status is not null
            || request.Queue is not null || request.ReceivedFrom is not null || request.ReceivedTo is not null
            || request.Awaiting is not null || request.Answers is not null;
        return anything ? null : ("empty-search", "Give words to search for, or at least one filter.");
    }

    private static bool IsSearchKey(string key) =>
        IndexKeys.IsOrderKey(key) || (key.Length is >= 1 and <= 53 && key.All(c => char.IsAsciiDigit(c) || char.IsAsciiHexDigitLower(c) || c == '\0'));

    private async Task<TriageListing> PageAsync(
        string set,
        string cursorKind,
        Func<string, bool> isKey,
        string? upperBound,
        int? pageSize,
        string? continuation,
        CancellationToken cancellationToken)
    {
        var size = pageSize ?? TriageInput.DefaultPageSize;
        if (size is < 1 or > TriageInput.MaxPageSize)
        {
            return new TriageListing.InvalidInput("invalid-page-size", $"The page size is 1 to {TriageInput.MaxPageSize}.");
        }

        string? after = null;
        if (continuation is not null && !IndexCursor.TryDecode(continuation, cursorKind, isKey, out after))
        {
            return InvalidContinuation();
        }

        var cursor = sets.Open(set);
        var page = new List<(string Key, TipSummary Tip)>();
        var (from, inclusive) = (after ?? "", after is null);

        // One more than the page, to know whether there is a next page.
        while (page.Count <= size && await cursor.SeekAsync(from, inclusive, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (upperBound is not null && string.CompareOrdinal(entry.Key, upperBound) >= 0)
            {
                break;
            }

            if (SummaryPayload.Read(entry.Payload) is { } tip)
            {
                page.Add((entry.Key, tip));
            }

            (from, inclusive) = (entry.Key, false);
        }

        return page.Count <= size
            ? new TriageListing.Page(new TipPage([.. page.Select(p => p.Tip)], null))
            : new TriageListing.Page(new TipPage([.. page.Take(size).Select(p => p.Tip)], IndexCursor.Encode(cursorKind, page[size - 1].Key)));
    }

    private static Task<TriageListing> Invalid(string code, string detail) =>
        Task.FromResult<TriageListing>(new TriageListing.InvalidInput(code, detail));

    private static TriageListing.InvalidInput InvalidContinuation() =>
        new("invalid-continuation", "The continuation token is not one this service issued.");

    private static partial class Log
    {
        /// <summary>Never what was searched for: only who, how many results, and how much was read.</summary>
        [LoggerMessage(4102, LogLevel.Information, "Search by staff {Actor}: {Results} results (more: {More}), {Reads} index reads")]
        public static partial void Searched(ILogger logger, string actor, int results, bool more, int reads);
    }
}

/// <summary>Where searches are audited: <c>TipEvents</c> partitions <c>search-YYYY-MM</c>, one per month.</summary>
public static class SearchAudit
{
    public static string PartitionOf(DateTimeOffset at) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"search-{at.UtcDateTime:yyyy-MM}");
}
