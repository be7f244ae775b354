using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TipIntake.Core.Staff;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Triage;

/// <summary>
/// Triage of stored tips: lists in urgent-first order with keyset paging, counts, one tip, and changes (status,
/// assignment, labels, notes) under optimistic concurrency, each leaving an audit event without tip content.
/// Callers have authenticated and role-checked the staff member.
/// </summary>
public sealed class TriageService(
    ITriageStore store, TimeProvider time, IOptions<TriageOptions> options, ILogger<TriageService> logger)
{
    private static readonly string[] OpenStatuses = [TriageStatuses.New, TriageStatuses.InReview];

    /// <summary>Tips by queue and/or status (null = any), urgent first, then newest.</summary>
    public Task<TriageListing> ListAsync(
        string? queue, string? status, int? pageSize, string? continuation, CancellationToken cancellationToken)
    {
        if (queue is not null && !TriageInput.IsQueue(queue))
        {
            return Task.FromResult<TriageListing>(new TriageListing.InvalidInput("invalid-queue", "The queue is not a triage queue name."));
        }

        if (status is not null && !TriageWorkflow.IsKnown(status))
        {
            return Task.FromResult<TriageListing>(new TriageListing.InvalidInput(
                "invalid-status", $"The status must be one of {string.Join(", ", TriageStatuses.All)}."));
        }

        return PageAsync(store.ListAsync(queue, status, cancellationToken), pageSize, continuation, cancellationToken);
    }

    /// <summary>
    /// Imminent tips still new or in review whose last change (or, never changed, their received hour) is older than
    /// <see cref="TriageOptions.OverdueAfter"/>. The received hour is coarse by design, so a never-touched tip may show
    /// up to an hour early: for imminent tips, early is the safe side.
    /// </summary>
    public Task<TriageListing> OverdueAsync(int? pageSize, string? continuation, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.OverdueAfter;
        return PageAsync(OverdueOf(store.ListAsync(null, null, cancellationToken), cutoff, cancellationToken), pageSize, continuation, cancellationToken);
    }

    /// <summary>How many tips each queue holds in each status (only non-zero counts).</summary>
    public async Task<IReadOnlyList<TipCount>> CountsAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string Queue, string Status), int>();
        await foreach (var tip in store.ListAsync(null, null, cancellationToken).ConfigureAwait(false))
        {
            counts[(tip.Queue, tip.Status)] = counts.GetValueOrDefault((tip.Queue, tip.Status)) + 1;
        }

        return [.. counts
            .OrderBy(pair => pair.Key.Queue, StringComparer.Ordinal)
            .ThenBy(pair => pair.Key.Status, StringComparer.Ordinal)
            .Select(pair => new TipCount(pair.Key.Queue, pair.Key.Status, pair.Value))];
    }

    /// <summary>One tip with its notes, or null. Opening a tip's content is itself recorded (<c>viewed</c>).</summary>
    public async Task<TipDetail?> GetAsync(string tipId, StaffMember viewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        if (!TriageIds.IsTipId(tipId) || await store.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip)
        {
            return null;
        }

        await CompleteAsync(tip, cancellationToken).ConfigureAwait(false);
        var notes = await store.GetNotesAsync(tipId, cancellationToken).ConfigureAwait(false);
        try
        {
            // Before the content leaves: an opening that cannot be recorded shows nothing.
            await store.AddEventAsync(NewEvent(tipId, viewer, TipEventActions.Viewed, null, null, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ViewNotRecorded(logger, tipId, viewer.ObjectId, ex.GetType().Name);
            throw;
        }

        return new TipDetail(tip.Summary, tip.Content, notes, tip.ETag);
    }

    /// <summary>The audit trail of a tip, oldest first; null for an unknown tip.</summary>
    public async Task<IReadOnlyList<TipEvent>?> EventsAsync(string tipId, CancellationToken cancellationToken)
    {
        if (!TriageIds.IsTipId(tipId) || await store.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip)
        {
            return null;
        }

        await CompleteAsync(tip, cancellationToken).ConfigureAwait(false);
        return await store.GetEventsAsync(tipId, cancellationToken).ConfigureAwait(false);
    }

    public Task<TriageChange> ChangeStatusAsync(
        string tipId, string ifMatch, string? status, StaffMember actor, CancellationToken cancellationToken)
    {
        if (!TriageWorkflow.IsKnown(status))
        {
            return Refused(tipId, TipEventActions.StatusChanged, actor, new TriageChange.InvalidInput(
                "invalid-status", $"The status must be one of {string.Join(", ", TriageStatuses.All)}."));
        }

        return ChangeAsync(tipId, ifMatch, actor, TipEventActions.StatusChanged, current =>
            TriageWorkflow.CanMove(current.Status, status!)
                ? new Decision(current with { Status = status! }, current.Status, status)
                : new TriageChange.InvalidTransition(current.Status, status!), note: null, cancellationToken);
    }

    /// <summary>Assigns to a staff object id or a display text, or unassigns with null.</summary>
    public Task<TriageChange> AssignAsync(
        string tipId, string ifMatch, string? assignee, StaffMember actor, CancellationToken cancellationToken)
    {
        string? normalized = null;
        if (assignee is not null && (normalized = TriageInput.NormalizeAssignee(assignee)) is null)
        {
            return Refused(tipId, TipEventActions.Assigned, actor, new TriageChange.InvalidInput(
                "invalid-assignee", $"An assignee is 1 to {TriageInput.MaxAssigneeLength} characters without control characters, or null to unassign."));
        }

        return ChangeAsync(tipId, ifMatch, actor, TipEventActions.Assigned, current =>
            new Decision(current with { AssignedTo = normalized }, current.AssignedTo, normalized), note: null, cancellationToken);
    }

    /// <summary>Adds and removes labels (letters, digits and '-', 1..40 each; at most 20 on a tip; case-insensitive).</summary>
    public Task<TriageChange> ChangeLabelsAsync(
        string tipId,
        string ifMatch,
        IReadOnlyList<string>? add,
        IReadOnlyList<string>? remove,
        StaffMember actor,
        CancellationToken cancellationToken)
    {
        add ??= [];
        remove ??= [];
        if (add.Count + remove.Count == 0)
        {
            return Refused(tipId, TipEventActions.LabelsChanged, actor, new TriageChange.InvalidInput("no-labels", "Name at least one label to add or remove."));
        }

        if (add.Count > TriageInput.MaxLabels || remove.Count > TriageInput.MaxLabels
            || !add.All(TriageInput.IsLabel) || !remove.All(TriageInput.IsLabel))
        {
            return Refused(tipId, TipEventActions.LabelsChanged, actor, new TriageChange.InvalidInput(
                "invalid-label", $"A label is 1 to {TriageInput.MaxLabelLength} letters, digits or '-'."));
        }

        return ChangeAsync(tipId, ifMatch, actor, TipEventActions.LabelsChanged, current =>
        {
            var labels = current.Labels
                .Where(label => !remove.Contains(label, StringComparer.OrdinalIgnoreCase))
                .Concat(add)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Order(StringComparer.Ordinal)
                .ToArray();
            return labels.Length > TriageInput.MaxLabels
                ? new TriageChange.InvalidInput("too-many-labels", $"A tip carries at most {TriageInput.MaxLabels} labels.")
                : new Decision(current with { Labels = labels }, Join(current.Labels), Join(labels));
        }, note: null, cancellationToken);
    }

    /// <summary>Appends a note (1..4000 characters). The audit event names the note's id, never its text.</summary>
    public Task<TriageChange> AddNoteAsync(
        string tipId, string ifMatch, string? text, StaffMember actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (TriageInput.NormalizeNote(text) is not { } normalized)
        {
            return Refused(tipId, TipEventActions.NoteAdded, actor, new TriageChange.InvalidInput(
                "invalid-note", $"A note is 1 to {TriageInput.MaxNoteLength} characters, not only white space, without control characters."));
        }

        var at = time.GetUtcNow();
        var note = new TipNote(TriageIds.NewTimeOrdered(at), actor.ObjectId, actor.Name, normalized, at);
        return ChangeAsync(tipId, ifMatch, actor, TipEventActions.NoteAdded, current =>
            new Decision(current, null, note.Id), note, cancellationToken);
    }

    /// <summary>
    /// Dismisses, in one request, tips no one has touched yet (status <c>new</c>, version 0: never assigned, labelled,
    /// annotated or moved) — what a flood leaves behind. Each is its own guarded change with its own audit event
    /// (<c>dismissed-in-bulk</c>, from <c>new</c> to <c>dismissed</c>, no content), so a tip an editor touched in the
    /// meantime is skipped, not overwritten; a dismissed tip can be taken back into review one by one. The only way
    /// from <c>new</c> straight to <c>dismissed</c> (docs/triage.md, "Dismissing a flood").
    /// </summary>
    public async Task<BulkDismissal> DismissUntouchedAsync(IReadOnlyList<string>? tipIds, StaffMember actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (tipIds is null || tipIds.Count is 0 or > TriageInput.MaxBulkDismissals || !tipIds.All(TriageIds.IsTipId)
            || tipIds.Distinct(StringComparer.Ordinal).Count() != tipIds.Count)
        {
            return new BulkDismissal.InvalidInput("invalid-tip-ids", $"Name 1 to {TriageInput.MaxBulkDismissals} different tip ids.");
        }

        var dismissed = new List<string>();
        var skipped = new List<SkippedTip>();
        foreach (var tipId in tipIds)
        {
            var outcome = await ChangeAsync(tipId, TriageVersions.Format(0), actor, TipEventActions.DismissedInBulk, current =>
                current.Status == TriageStatuses.New
                    ? new Decision(current with { Status = TriageStatuses.Dismissed }, current.Status, TriageStatuses.Dismissed)
                    : new TriageChange.InvalidTransition(current.Status, TriageStatuses.Dismissed), note: null, cancellationToken, withNotes: false)
                .ConfigureAwait(false);
            switch (outcome)
            {
                case TriageChange.Changed:
                    dismissed.Add(tipId);
                    break;
                case TriageChange.NotFound:
                    skipped.Add(new SkippedTip(tipId, SkippedTip.NotFound));
                    break;
                default:
                    skipped.Add(new SkippedTip(tipId, SkippedTip.Touched));
                    break;
            }
        }

        Log.DismissedInBulk(logger, dismissed.Count, skipped.Count, actor.ObjectId);
        return new BulkDismissal.Done(dismissed, skipped);
    }

    private async Task<TriageChange> ChangeAsync(
        string tipId,
        string ifMatch,
        StaffMember actor,
        string action,
        Func<TipSummary, object> decide,
        TipNote? note,
        CancellationToken cancellationToken,
        bool withNotes = true)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!TriageIds.IsTipId(tipId) || await store.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip)
        {
            return await Refused(tipId, action, actor, new TriageChange.NotFound()).ConfigureAwait(false);
        }

        if (!string.Equals(tip.ETag, ifMatch, StringComparison.Ordinal))
        {
            return await Refused(tipId, action, actor, new TriageChange.PreconditionFailed()).ConfigureAwait(false);
        }

        // The decision is either the changed summary or the refusal (an invalid transition or input).
        var decided = decide(tip.Summary);
        if (decided is not Decision decision)
        {
            return await Refused(tipId, action, actor, (TriageChange)decided).ConfigureAwait(false);
        }

        // The previous change's audit writes first, in case they did not reach their tables: this change's update
        // replaces them in the row.
        await CompleteAsync(tip, cancellationToken).ConfigureAwait(false);

        var at = note?.At ?? time.GetUtcNow();
        var changed = decision.Summary with { LastChangedAt = at };
        var audit = new PendingAudit(NewEvent(tipId, actor, action, decision.From, decision.To, at), note);
        var write = await store.UpdateAsync(
            new TipUpdate(tipId, changed.Queue, tip.StorageETag, tip.Version + 1, changed.Status, changed.AssignedTo, changed.Labels, at, audit),
            cancellationToken).ConfigureAwait(false);
        if (write is not StoreWrite.Written)
        {
            return await Refused(tipId, action, actor, write is StoreWrite.Stale ? new TriageChange.PreconditionFailed() : new TriageChange.NotFound())
                .ConfigureAwait(false);
        }

        await CompleteAsync(audit, cancellationToken).ConfigureAwait(false);
        Log.TriageChanged(logger, tipId, action, actor.ObjectId);
        if (!withNotes)
        {
            return new TriageChange.Changed(new TipDetail(changed, tip.Content, [], TriageVersions.Format(tip.Version + 1)));
        }

        var notes = await store.GetNotesAsync(tipId, cancellationToken).ConfigureAwait(false);
        if (note is not null && !notes.Any(n => n.Id == note.Id))
        {
            notes = [.. notes, note];
        }

        return new TriageChange.Changed(new TipDetail(changed, tip.Content, notes, TriageVersions.Format(tip.Version + 1)));
    }

    private Task CompleteAsync(TriageTip tip, CancellationToken cancellationToken) =>
        tip.Pending is { } pending ? CompleteAsync(pending, cancellationToken) : Task.CompletedTask;

    /// <summary>Appends a change's note and event (idempotently: they may be there already).</summary>
    private async Task CompleteAsync(PendingAudit audit, CancellationToken cancellationToken)
    {
        if (audit.Note is { } note)
        {
            await store.AddNoteAsync(audit.Event.TipId, note, cancellationToken).ConfigureAwait(false);
        }

        await RecordAsync(audit.Event, cancellationToken).ConfigureAwait(false);
    }

    private async Task RecordAsync(TipEvent tipEvent, CancellationToken cancellationToken)
    {
        try
        {
            await store.AddEventAsync(tipEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.AuditEventDeferred(logger, tipEvent.TipId, tipEvent.Action, tipEvent.Actor, ex.GetType().Name);
            throw;
        }
    }

    private Task<TriageChange> Refused(string tipId, string action, StaffMember actor, TriageChange outcome)
    {
        ArgumentNullException.ThrowIfNull(actor);

        // The tip id only when it is one: a malformed id is caller input and stays out of the log.
        Log.TriageChangeRefused(logger, TriageIds.IsTipId(tipId) ? tipId : "(malformed)", action, actor.ObjectId, outcome.GetType().Name);
        return Task.FromResult(outcome);
    }

    private static TipEvent NewEvent(string tipId, StaffMember actor, string action, string? from, string? to, DateTimeOffset at) =>
        new(tipId, TriageIds.NewTimeOrdered(at), at, actor.ObjectId, action, from, to);

    private static string? Join(IReadOnlyList<string> labels) => labels.Count == 0 ? null : string.Join(',', labels);

    private static async IAsyncEnumerable<TipSummary> OverdueOf(
        IAsyncEnumerable<TipSummary> tips, DateTimeOffset cutoff, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var tip in tips.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (tip.Urgency == TipUrgencies.Imminent
                && OpenStatuses.Contains(tip.Status, StringComparer.Ordinal)
                && (tip.LastChangedAt ?? tip.ReceivedHour) <= cutoff)
            {
                yield return tip;
            }
        }
    }

    /// <summary>
    /// One page after the cursor, streaming: only the page size plus one smallest tips are ever held, so a listing
    /// costs one pass over the matching rows and memory for one page.
    /// </summary>
    private static async Task<TriageListing> PageAsync(
        IAsyncEnumerable<TipSummary> tips, int? pageSize, string? continuation, CancellationToken cancellationToken)
    {
        var size = pageSize ?? TriageInput.DefaultPageSize;
        if (size is < 1 or > TriageInput.MaxPageSize)
        {
            return new TriageListing.InvalidInput("invalid-page-size", $"The page size is 1 to {TriageInput.MaxPageSize}.");
        }

        TriageCursor? after = null;
        if (continuation is not null && !TriageCursor.TryDecode(continuation, out after))
        {
            return new TriageListing.InvalidInput("invalid-continuation", "The continuation token is not one this service issued.");
        }

        // A max-heap of the smallest size + 1 tips seen: the largest is dropped whenever there is one too many.
        var kept = new PriorityQueue<TipSummary, TipSummary>(Comparer<TipSummary>.Create((x, y) => TriageOrder.Instance.Compare(y, x)));
        await foreach (var tip in tips.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (after is null || after.Precedes(tip))
            {
                kept.Enqueue(tip, tip);
                if (kept.Count > size + 1)
                {
                    kept.Dequeue();
                }
            }
        }

        var ordered = kept.UnorderedItems.Select(item => item.Element).Order(TriageOrder.Instance).ToList();
        if (ordered.Count <= size)
        {
            return new TriageListing.Page(new TipPage(ordered, null));
        }

        var page = ordered.GetRange(0, size);
        return new TriageListing.Page(new TipPage(page, TriageCursor.After(page[^1]).Encode()));
    }

    private sealed record Decision(TipSummary Summary, string? From, string? To);
}
