using TipIntake.Core.Attachments;
using TipIntake.Core.Staff;
using TipIntake.Core.Triage.Index;

namespace TipIntake.Core.Triage;

/// <summary>
/// Triage of one stored tip: reading it, its trail, and changes (status, assignment, labels, notes) under optimistic
/// concurrency, each leaving an audit event without tip content and moving the tip in the index. Lists are
/// <see cref="TriageLists"/>. Callers have authenticated and role-checked the staff member.
/// </summary>
public sealed partial class TriageService(
    ITriageStore store, TriageIndexer indexer, ITipAttachmentStore attachments, TimeProvider time, ILogger<TriageService> logger)
{
    /// <summary>How many times a change is written when only non-triage writes (index markers) moved the row's ETag.</summary>
    private const int MaxWriteAttempts = 3;

    /// <summary>One tip with its notes, or null. Opening a tip's content is itself recorded (<c>viewed</c>).</summary>
    public async Task<TipDetail?> GetAsync(string tipId, StaffMember viewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        if (await ReadAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip)
        {
            return null;
        }

        var notes = await store.GetNotesAsync(tipId, cancellationToken).ConfigureAwait(false);
        var files = await attachments.ListAsync(tipId, cancellationToken).ConfigureAwait(false);
        try
        {
            // Before the content leaves: an opening that cannot be recorded shows nothing.
            await store.AddEventAsync(NewEvent(tipId, viewer, TipEventAction.Viewed, null, null, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.ViewNotRecorded(logger, tipId, viewer.ObjectId, ex.GetType().Name);
            throw;
        }

        return new TipDetail(tip.Summary, tip.Content, notes, tip.Version, files);
    }

    /// <summary>The audit trail of a tip, oldest first; null for an unknown tip.</summary>
    public async Task<IReadOnlyList<TipEvent>?> EventsAsync(string tipId, CancellationToken cancellationToken)
    {
        if (await ReadAsync(tipId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        return await store.GetEventsAsync(tipId, cancellationToken).ConfigureAwait(false);
    }

    public Task<TriageChange> ChangeStatusAsync(
        string tipId, long expectedVersion, string? status, StaffMember actor, CancellationToken cancellationToken)
    {
        if (!TriageWorkflow.IsKnown(status))
        {
            return Refused(tipId, TipEventAction.StatusChanged, actor, new TriageChange.InvalidInput(
                "invalid-status", $"The status must be one of {string.Join(", ", TriageStatuses.All)}."));
        }

        return ChangeAsync(tipId, expectedVersion, actor, TipEventAction.StatusChanged, current =>
            TriageWorkflow.CanMove(current.Status, status!)
                ? new Decision(current with { Status = status! }, current.Status, status)
                : new TriageChange.InvalidTransition(current.Status, status!), note: null, cancellationToken);
    }

    /// <summary>Assigns to a staff object id or a display text, or unassigns with null.</summary>
    public Task<TriageChange> AssignAsync(
        string tipId, long expectedVersion, string? assignee, StaffMember actor, CancellationToken cancellationToken)
    {
        string? normalized = null;
        if (assignee is not null && (normalized = TriageInput.NormalizeAssignee(assignee)) is null)
        {
            return Refused(tipId, TipEventAction.Assigned, actor, new TriageChange.InvalidInput(
                "invalid-assignee", $"An assignee is 1 to {TriageInput.MaxAssigneeLength} characters without control characters, or null to unassign."));
        }

        return ChangeAsync(tipId, expectedVersion, actor, TipEventAction.Assigned, current =>
            new Decision(current with { AssignedTo = normalized }, current.AssignedTo, normalized), note: null, cancellationToken);
    }

    /// <summary>Adds and removes labels (letters, digits and '-', 1..40 each; at most 20 on a tip; case-insensitive).</summary>
    public Task<TriageChange> ChangeLabelsAsync(
        string tipId,
        long expectedVersion,
        IReadOnlyList<string>? add,
        IReadOnlyList<string>? remove,
        StaffMember actor,
        CancellationToken cancellationToken)
    {
        add ??= [];
        remove ??= [];
        if (add.Count + remove.Count == 0)
        {
            return Refused(tipId, TipEventAction.LabelsChanged, actor, new TriageChange.InvalidInput("no-labels", "Name at least one label to add or remove."));
        }

        if (add.Count > TriageInput.MaxLabels || remove.Count > TriageInput.MaxLabels
            || !add.All(TriageInput.IsLabel) || !remove.All(TriageInput.IsLabel))
        {
            return Refused(tipId, TipEventAction.LabelsChanged, actor, new TriageChange.InvalidInput(
                "invalid-label", $"A label is 1 to {TriageInput.MaxLabelLength} letters, digits or '-'."));
        }

        return ChangeAsync(tipId, expectedVersion, actor, TipEventAction.LabelsChanged, current =>
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
        string tipId, long expectedVersion, string? text, StaffMember actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (TriageInput.NormalizeNote(text) is not { } normalized)
        {
            return Refused(tipId, TipEventAction.NoteAdded, actor, new TriageChange.InvalidInput(
                "invalid-note", $"A note is 1 to {TriageInput.MaxNoteLength} characters, not only white space, without control characters."));
        }

        var at = time.GetUtcNow();
        var note = new TipNote(TriageIds.NewTimeOrdered(at), actor.ObjectId, actor.Name, normalized, at);
        return ChangeAsync(tipId, expectedVersion, actor, TipEventAction.NoteAdded, current =>
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
            var outcome = await ChangeAsync(tipId, expectedVersion: 0, actor, TipEventAction.DismissedInBulk, current =>
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
        long expectedVersion,
        StaffMember actor,
        TipEventAction action,
        Func<TipSummary, object> decide,
        TipNote? note,
        CancellationToken cancellationToken,
        bool withNotes = true)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!TriageIds.IsTipId(tipId))
        {
            return await Refused(tipId, action, actor, new TriageChange.NotFound()).ConfigureAwait(false);
        }

        // The row's storage ETag also changes when index work clears its marker, which is no triage change: a write
        // that meets a newer ETag reads the row again, and only a newer version (another editor's change) refuses it.
        for (var attempt = 1; ; attempt++)
        {
            if (await store.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip || tip.PendingIndex?.Kind == PendingIndexKinds.Purge)
            {
                return await Refused(tipId, action, actor, new TriageChange.NotFound()).ConfigureAwait(false);
            }

            if (tip.Version != expectedVersion)
            {
                return await Refused(tipId, action, actor, new TriageChange.VersionConflict()).ConfigureAwait(false);
            }

            // The decision is either the changed summary or the refusal (an invalid transition or input).
            var decided = decide(tip.Summary);
            if (decided is not Decision decision)
            {
                return await Refused(tipId, action, actor, (TriageChange)decided).ConfigureAwait(false);
            }

            // The previous change's audit writes and index work first, in case they did not reach their tables: this
            // change's update replaces them in the row.
            await CompleteAsync(tip, cancellationToken).ConfigureAwait(false);
            await indexer.CompleteAsync(tip, cancellationToken).ConfigureAwait(false);

            var at = note?.At ?? time.GetUtcNow();

            // To the millisecond, as Table Storage keeps it: the index holds what a later read of the row returns.
            var changed = decision.Summary with { LastChangedAt = new DateTimeOffset(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero) };
            var audit = new PendingAudit(NewEvent(tipId, actor, action, decision.From, decision.To, at), note);
            var write = await store.UpdateAsync(
                new TipUpdate(tipId, changed.Queue, tip.StorageETag, tip.Version + 1, changed.Status, changed.AssignedTo, changed.Labels, changed.LastChangedAt!.Value, audit, tip.Summary),
                cancellationToken).ConfigureAwait(false);
            switch (write)
            {
                case StoreWrite.Written written:
                    return await FinishChangeAsync(tip, changed, audit, written.ETag, actor, action, note, withNotes, cancellationToken).ConfigureAwait(false);
                case StoreWrite.Stale when attempt < MaxWriteAttempts:
                    continue;
                case StoreWrite.Stale:
                    return await Refused(tipId, action, actor, new TriageChange.VersionConflict()).ConfigureAwait(false);
                default:
                    return await Refused(tipId, action, actor, new TriageChange.NotFound()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>After the guarded write: the audit writes and index work it left, then the changed tip as answered.</summary>
    private async Task<TriageChange> FinishChangeAsync(
        TriageTip tip, TipSummary changed, PendingAudit audit, string storageETag, StaffMember actor, TipEventAction action, TipNote? note, bool withNotes, CancellationToken cancellationToken)
    {
        var tipId = tip.Summary.Id;
        await CompleteAsync(audit, cancellationToken).ConfigureAwait(false);
        await FinishIndexAsync(
            new TriageTip(changed, tip.Content, storageETag, tip.Version + 1, audit, new PendingIndex(PendingIndexKinds.Change, tip.Summary)), cancellationToken).ConfigureAwait(false);
        Log.TriageChanged(logger, tipId, Codes.Of(action), actor.ObjectId);
        if (!withNotes)
        {
            return new TriageChange.Changed(new TipDetail(changed, tip.Content, [], tip.Version + 1, []));
        }

        var notes = await store.GetNotesAsync(tipId, cancellationToken).ConfigureAwait(false);
        if (note is not null && !notes.Any(n => n.Id == note.Id))
        {
            notes = [.. notes, note];
        }

        var files = await attachments.ListAsync(tipId, cancellationToken).ConfigureAwait(false);
        return new TriageChange.Changed(new TipDetail(changed, tip.Content, notes, tip.Version + 1, files));
    }

    /// <summary>
    /// The tip by id with its pending audit appended and its pending index work done (the row then has a new ETag);
    /// null for an unknown id or a tip being purged.
    /// </summary>
    private async Task<TriageTip?> ReadAsync(string tipId, CancellationToken cancellationToken)
    {
        if (!TriageIds.IsTipId(tipId))
        {
            return null;
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await store.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip || tip.PendingIndex?.Kind == PendingIndexKinds.Purge)
            {
                return null;
            }

            await CompleteAsync(tip, cancellationToken).ConfigureAwait(false);
            if (tip.PendingIndex is null)
            {
                return tip;
            }

            // Null when someone changed the row meanwhile: read it again (that change carries its own pending work).
            if (await FinishIndexAsync(tip, cancellationToken).ConfigureAwait(false) is { } etag)
            {
                return tip with { StorageETag = etag, PendingIndex = null };
            }
        }

        throw new Intake.StorageUnavailableException("The tip kept changing while its index work was being done.");
    }

    /// <summary>
    /// Does the row's pending index work, then clears its marker: the row's new storage ETag (the tip's version, what
    /// clients see, does not change); null when the row changed meanwhile. If only the clearing fails, the marker stays (the next read does the idempotent work again).
    /// </summary>
    private async Task<string?> FinishIndexAsync(TriageTip tip, CancellationToken cancellationToken)
    {
        await indexer.CompleteAsync(tip, cancellationToken).ConfigureAwait(false);
        try
        {
            return await store.ClearPendingIndexAsync(tip, cancellationToken).ConfigureAwait(false);
        }
        catch (Intake.StorageUnavailableException ex)
        {
            Log.IndexMarkerLeft(logger, tip.Summary.Id, ex.GetType().Name);
            return tip.StorageETag;
        }
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

    private Task<TriageChange> Refused(string tipId, TipEventAction action, StaffMember actor, TriageChange outcome)
    {
        ArgumentNullException.ThrowIfNull(actor);

        // The tip id only when it is one: a malformed id is caller input and stays out of the log.
        Log.TriageChangeRefused(logger, TriageIds.IsTipId(tipId) ? tipId : "(malformed)", Codes.Of(action), actor.ObjectId, outcome.GetType().Name);
        return Task.FromResult(outcome);
    }

    private static TipEvent NewEvent(string tipId, StaffMember actor, TipEventAction action, string? from, string? to, DateTimeOffset at) =>
        new(tipId, TriageIds.NewTimeOrdered(at), at, actor.ObjectId, Codes.Of(action), from, to);

    private static string? Join(IReadOnlyList<string> labels) => labels.Count == 0 ? null : string.Join(',', labels);

    private sealed record Decision(TipSummary Summary, string? From, string? To);

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Information, "Tip {TipId}: {Action} by staff {Actor}")]
        public static partial void TriageChanged(ILogger logger, string tipId, string action, string actor);

        [LoggerMessage(4002, LogLevel.Information, "Tip {TipId}: {Action} by staff {Actor} refused ({Outcome})")]
        public static partial void TriageChangeRefused(ILogger logger, string tipId, string action, string actor, string outcome);

        [LoggerMessage(4003, LogLevel.Warning, "Tip {TipId}: the audit event of {Action} by staff {Actor} could not be appended yet ({ErrorType}); the tip's row keeps it until the next change or read appends it")]
        public static partial void AuditEventDeferred(ILogger logger, string tipId, string action, string actor, string errorType);

        [LoggerMessage(4004, LogLevel.Warning, "Tip {TipId}: opening by staff {Actor} could not be recorded ({ErrorType}); its content was not shown")]
        public static partial void ViewNotRecorded(ILogger logger, string tipId, string actor, string errorType);

        [LoggerMessage(4101, LogLevel.Warning, "Tip {TipId}: its index work is done but the row's marker could not be cleared ({ErrorType}); the next read does the work again")]
        public static partial void IndexMarkerLeft(ILogger logger, string tipId, string errorType);

        [LoggerMessage(7020, LogLevel.Information, "Bulk dismissal by staff {Actor}: {Dismissed} tips dismissed, {Skipped} skipped")]
        public static partial void DismissedInBulk(ILogger logger, int dismissed, int skipped, string actor);
    }
}
