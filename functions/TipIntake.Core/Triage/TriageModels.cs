namespace TipIntake.Core.Triage;

/// <summary>
/// What a triage list shows of a tip: routing and triage state, never the reporter's words. <see cref="EffortBand"/>
/// is the coarse effort its stamp paid (<see cref="EffortBands"/>; null on the no-script path): a flood's spam comes in
/// at the floor of its time, so it can be found and dismissed in bulk.
/// </summary>
public sealed record TipSummary(
    string Id,
    string Queue,
    string Status,
    int Priority,
    string Category,
    string Urgency,
    string? Country,
    string? Region,
    DateTimeOffset ReceivedHour,
    string? AssignedTo,
    IReadOnlyList<string> Labels,
    DateTimeOffset? LastChangedAt,
    int? EffortBand = null);

/// <summary>The reporter's content of a tip as the processor stored it.</summary>
public sealed record TipContent(
    string Narrative,
    string? Place,
    string? ObservedFrom,
    string? ObservedTo,
    int? PeopleCount,
    string? Language,
    string? Contact);

/// <summary>
/// A tip as the store holds it: its <see cref="Version"/>, a counter every triage change raises by one, which is what
/// clients see as the ETag; the storage ETag that guards the write (it encodes the row's write time to 100 ns, so it
/// never leaves the service); and the audit writes of its last change (<see cref="PendingAudit"/>), which may not have
/// reached their tables yet.
/// </summary>
public sealed record TriageTip(TipSummary Summary, TipContent Content, string StorageETag, long Version, PendingAudit? Pending = null)
{
    /// <summary>The version as a client names it in an ETag and in If-Match: decimal digits, nothing about time.</summary>
    public string ETag => TriageVersions.Format(Version);
}

/// <summary>The client-facing version of a tip: the number of triage changes it has had.</summary>
public static class TriageVersions
{
    public static string Format(long version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The audit event (and the note, for a note) of a change, written into the tip's row by the same guarded update that
/// makes the change, then appended to <c>TipEvents</c> (and <c>TipNotes</c>). If the append fails after the update,
/// the next change, or the next read of the trail or the notes, appends them from the row: no change is ever left
/// without its audit event. Appends are idempotent (keyed by the event's and the note's ids).
/// </summary>
public sealed record PendingAudit(TipEvent Event, TipNote? Note);

/// <summary>A staff note. Notes are append-only: there is no way to edit or delete one.</summary>
public sealed record TipNote(string Id, string AuthorId, string? AuthorName, string Text, DateTimeOffset At);

/// <summary>One tip with its notes and the version a change must name.</summary>
public sealed record TipDetail(TipSummary Summary, TipContent Content, IReadOnlyList<TipNote> Notes, string ETag);

/// <summary>
/// One audit event: who did what to which tip, when. <see cref="From"/>/<see cref="To"/> are triage values only
/// (status, assignee, labels, a note's id) — never tip content or note text.
/// </summary>
public sealed record TipEvent(string TipId, string Id, DateTimeOffset At, string Actor, string Action, string? From, string? To);

public static class TipEventActions
{
    public const string StatusChanged = "status-changed";
    public const string Assigned = "assigned";
    public const string LabelsChanged = "labels-changed";
    public const string NoteAdded = "note-added";

    /// <summary>A staff member opened the tip's content (the threat model's curious insider leaves a trace).</summary>
    public const string Viewed = "viewed";

    /// <summary>An untouched tip dismissed with others in one request (a flood's spam): from <c>new</c> to <c>dismissed</c>.</summary>
    public const string DismissedInBulk = "dismissed-in-bulk";
}

/// <summary>A page of a list; <see cref="Continuation"/> is null on the last page.</summary>
public sealed record TipPage(IReadOnlyList<TipSummary> Items, string? Continuation);

public sealed record TipCount(string Queue, string Status, int Count);

/// <summary>
/// The columns a triage change writes, with its audit writes and the tip's next <see cref="Version"/>, guarded by the
/// storage ETag the service read (<see cref="IfMatch"/>).
/// </summary>
public sealed record TipUpdate(
    string TipId,
    string Queue,
    string IfMatch,
    long Version,
    string Status,
    string? AssignedTo,
    IReadOnlyList<string> Labels,
    DateTimeOffset LastChangedAt,
    PendingAudit Audit);

/// <summary>The outcome of a guarded write.</summary>
public abstract record StoreWrite
{
    private StoreWrite()
    {
    }

    public sealed record Written(string ETag) : StoreWrite;

    /// <summary>The ETag no longer matches: someone else changed the tip (HTTP 412 from storage).</summary>
    public sealed record Stale : StoreWrite;

    public sealed record Missing : StoreWrite;
}

/// <summary>The outcome of a triage change, for the function to map to HTTP.</summary>
public abstract record TriageChange
{
    private TriageChange()
    {
    }

    public sealed record Changed(TipDetail Tip) : TriageChange;

    public sealed record NotFound : TriageChange;

    /// <summary>The caller's ETag is not the tip's current one: reload and decide again.</summary>
    public sealed record PreconditionFailed : TriageChange;

    public sealed record InvalidTransition(string From, string To) : TriageChange;

    /// <param name="Code">A short code for the problem type.</param>
    /// <param name="Detail">The service's own words; never an echo of the input.</param>
    public sealed record InvalidInput(string Code, string Detail) : TriageChange;
}

/// <summary>The outcome of a bulk dismissal.</summary>
public abstract record BulkDismissal
{
    private BulkDismissal()
    {
    }

    public sealed record Done(IReadOnlyList<string> Dismissed, IReadOnlyList<SkippedTip> Skipped) : BulkDismissal;

    public sealed record InvalidInput(string Code, string Detail) : BulkDismissal;
}

/// <summary>A tip a bulk dismissal left as it was, and why: <see cref="NotFound"/> or <see cref="Touched"/>.</summary>
public sealed record SkippedTip(string TipId, string Reason)
{
    public const string NotFound = "not-found";

    /// <summary>Not new, or changed by someone (assigned, labelled, annotated): it must be dismissed on its own.</summary>
    public const string Touched = "touched";
}

/// <summary>The outcome of a list request.</summary>
public abstract record TriageListing
{
    private TriageListing()
    {
    }

    public sealed record Page(TipPage Value) : TriageListing;

    public sealed record InvalidInput(string Code, string Detail) : TriageListing;
}

/// <summary>Tables <c>Tips</c> (triage columns), <c>TipNotes</c> and <c>TipEvents</c>.</summary>
public interface ITriageStore
{
    /// <summary>Every tip matching the filters (null = any), in no particular order. Streams; the caller pages.</summary>
    IAsyncEnumerable<TipSummary> ListAsync(string? queue, string? status, CancellationToken cancellationToken);

    Task<TriageTip?> GetAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>Writes the triage columns only if the tip's ETag is still <see cref="TipUpdate.IfMatch"/>.</summary>
    Task<StoreWrite> UpdateAsync(TipUpdate update, CancellationToken cancellationToken);

    /// <summary>Notes of a tip, oldest first.</summary>
    Task<IReadOnlyList<TipNote>> GetNotesAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>Appends a note (insert-only; a note with the same id already there is left as it is).</summary>
    Task AddNoteAsync(string tipId, TipNote note, CancellationToken cancellationToken);

    /// <summary>Appends an audit event (insert-only; an event with the same id already there is left as it is).</summary>
    Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken);

    /// <summary>Audit events of a tip, oldest first.</summary>
    Task<IReadOnlyList<TipEvent>> GetEventsAsync(string tipId, CancellationToken cancellationToken);
}
