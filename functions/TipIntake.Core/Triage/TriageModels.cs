namespace TipIntake.Core.Triage;

/// <summary>
/// What a triage list shows of a tip: routing and triage state, never the reporter's words. <see cref="EffortBand"/>
/// is the coarse effort its stamp paid (<see cref="EffortBands"/>; null on the no-script path): a flood's spam comes in
/// at the floor of its time, so it can be found and dismissed in bulk. <see cref="AwaitingReporter"/> and
/// <see cref="NewAnswers"/> are the follow-up flags (docs/follow-up.md, "Triage"): beside the workflow, not states in
/// it, so setting them is no triage change (<see cref="TipFlags"/>).
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
    int? EffortBand = null,
    bool AwaitingReporter = false,
    bool NewAnswers = false);

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
/// A tip as the store holds it: its <see cref="Version"/>, a counter every triage change raises by one, which a change
/// must name (clients see it as the ETag); the storage ETag that guards the write (it encodes the row's write time to 100 ns, so it
/// never leaves the service); the audit writes of its last change (<see cref="PendingAudit"/>) and the index work of
/// its last write (<see cref="PendingIndex"/>), which may not have reached their tables yet.
/// </summary>
public sealed record TriageTip(TipSummary Summary, TipContent Content, string StorageETag, long Version, PendingAudit? Pending = null, PendingIndex? PendingIndex = null);

/// <summary>
/// The index work a write of the tip's row left to do, written into the row by that same write (a new tip by the
/// processor's insert, a change by its guarded update, a purge by retention's mark) and cleared, guarded by the
/// row's storage ETag, once done. Whoever reads the row next — the processor's redelivery, the next change, the next
/// time anyone opens the tip, the repair job — does it first. All of it is idempotent.
/// </summary>
/// <param name="Kind"><see cref="PendingIndexKinds"/>.</param>
/// <param name="Before">For a change: the summary before it (the sets the tip leaves are those of this summary).</param>
public sealed record PendingIndex(string Kind, TipSummary? Before = null);

public static class PendingIndexKinds
{
    /// <summary>Index everything of a newly stored tip (views, filters, terms, related reports, locator).</summary>
    public const string New = "new";

    /// <summary>Move the tip from the sets of <see cref="PendingIndex.Before"/> to those of its current summary.</summary>
    public const string Change = "change";

    /// <summary>Take the tip out of every set before its row is deleted (retention).</summary>
    public const string Purge = "purge";
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

/// <summary>
/// One tip with its notes, its files (their rows: the page shows what they are, never the wrapped key or the upload
/// id) and the version a change must name (the number of triage changes it has had).
/// </summary>
public sealed record TipDetail(TipSummary Summary, TipContent Content, IReadOnlyList<TipNote> Notes, long Version, IReadOnlyList<Attachments.TipAttachment> Attachments);

/// <summary>
/// One audit event: who did what to which tip, when. <see cref="From"/>/<see cref="To"/> are triage values only
/// (status, assignee, labels, a note's id) — never tip content or note text.
/// </summary>
public sealed record TipEvent(string TipId, string Id, DateTimeOffset At, string Actor, string Action, string? From, string? To);

/// <summary>What an audit event records; <see cref="TipEvent.Action"/> holds its code (<see cref="Codes.Of"/>).</summary>
public enum TipEventAction
{
    StatusChanged,
    Assigned,
    LabelsChanged,
    NoteAdded,

    /// <summary>A staff member opened the tip's content (the threat model's curious insider leaves a trace).</summary>
    Viewed,

    /// <summary>An editor linked the tip to another (To: the other tip's id).</summary>
    Linked,

    /// <summary>An editor unlinked the tip from another (From: the other tip's id).</summary>
    Unlinked,

    /// <summary>A staff member searched (audited under <see cref="SearchAudit"/>, without what was searched for).</summary>
    Searched,

    /// <summary>An untouched tip dismissed with others in one request (a flood's spam): from <c>new</c> to <c>dismissed</c>.</summary>
    DismissedInBulk,

    /// <summary>A staff member read the tip's follow-up thread (docs/follow-up.md, "Triage").</summary>
    ThreadViewed,

    /// <summary>An editor sent the reporter a message (To: the message's id; never its text).</summary>
    MessageSent,

    /// <summary>The reporter answered (actor <c>reporter</c>, the time to the hour).</summary>
    AnswerReceived,

    /// <summary>An editor marked the reporter's answers read.</summary>
    AnswersRead,

    /// <summary>Retention ended the reporter's access some time after closing: the sealed key is deleted (docs/follow-up.md, "Retention").</summary>
    FollowUpExpired,

    /// <summary>
    /// A staff member asked for a tip's file (To: its number): recorded before anything of the file is read, whatever
    /// comes of it (docs/attachments.md, "Download").
    /// </summary>
    AttachmentDownloaded,

    /// <summary>A download found the stored file not to be what its tip names (To: its number); it was not served whole.</summary>
    AttachmentIntegrityFailed,

    /// <summary>
    /// One of the tip's files, or its whole <c>attachments</c> member, was quarantined (actor <c>processor</c>; From: the
    /// reason code, e.g. <c>attachment-mismatch</c>; To: the file's number, empty for the member): never an upload id, a
    /// key or a file name (docs/attachments.md, "Processing: binding, quarantine").
    /// </summary>
    AttachmentQuarantined,
}

/// <summary>A page of a list; <see cref="Continuation"/> is null on the last page.</summary>
public sealed record TipPage(IReadOnlyList<TipSummary> Items, string? Continuation);

public sealed record TipCount(string Queue, string Status, int Count);

/// <summary>
/// The columns a triage change writes, with its audit writes and the tip's next <see cref="Version"/>, guarded by the
/// storage ETag the service read (<see cref="ExpectedStorageETag"/>).
/// </summary>
public sealed record TipUpdate(
    string TipId,
    string Queue,
    string ExpectedStorageETag,
    long Version,
    string Status,
    string? AssignedTo,
    IReadOnlyList<string> Labels,
    DateTimeOffset LastChangedAt,
    PendingAudit Audit,
    TipSummary Before);

/// <summary>The outcome of a guarded write.</summary>
public abstract record StoreWrite
{
    private StoreWrite()
    {
    }

    public sealed record Written(string ETag) : StoreWrite;

    /// <summary>The storage ETag no longer matches: someone else changed the row since it was read.</summary>
    public sealed record Stale : StoreWrite;

    public sealed record Missing : StoreWrite;
}

/// <summary>The outcome of a triage change.</summary>
public abstract record TriageChange
{
    private TriageChange()
    {
    }

    public sealed record Changed(TipDetail Tip) : TriageChange;

    public sealed record NotFound : TriageChange;

    /// <summary>The version the caller read is not the tip's current one (another change came first): reload and decide again.</summary>
    public sealed record VersionConflict : TriageChange;

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

/// <summary>Table <c>TipEvents</c>, for writers outside triage (the processor's binding of files).</summary>
public interface IAuditTrail
{
    /// <summary>Appends an audit event (insert-only; an event with the same id already there is left as it is).</summary>
    Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken);
}

/// <summary>Tables <c>Tips</c> (triage columns), <c>TipNotes</c> and <c>TipEvents</c>.</summary>
public interface ITriageStore : IAuditTrail
{
    /// <summary>
    /// Every tip (reading the whole table: for the index repair job, never for a request), with what its index needs.
    /// Streams.
    /// </summary>
    IAsyncEnumerable<TriageTip> ScanAsync(bool withContent, CancellationToken cancellationToken);

    /// <summary>The tip with this id, found through the index's locator (point reads only); null when there is none.</summary>
    Task<TriageTip?> GetAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>The tip in <paramref name="queue"/> with this id (one point read); null when there is none.</summary>
    Task<TriageTip?> GetAsync(string queue, string tipId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the triage columns, the change's audit and its <see cref="PendingIndex"/> only if the tip's ETag is
    /// still <see cref="TipUpdate.ExpectedStorageETag"/>.
    /// </summary>
    Task<StoreWrite> UpdateAsync(TipUpdate update, CancellationToken cancellationToken);

    /// <summary>
    /// Clears the row's <see cref="PendingIndex"/> once its work is done, guarded by the ETag it was read with: the new
    /// ETag, or null when the row changed meanwhile (that change carries its own pending work) or is gone.
    /// </summary>
    Task<string?> ClearPendingIndexAsync(TriageTip tip, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the follow-up flags of <paramref name="flagged"/> and a change marker from <paramref name="before"/>, only
    /// if the tip's ETag is still <paramref name="expectedStorageETag"/>. The version (what clients see) stays: a flag
    /// is no triage change, and no editor's pending change should meet a conflict because a reporter answered.
    /// </summary>
    Task<StoreWrite> UpdateFlagsAsync(TipSummary flagged, TipSummary before, string expectedStorageETag, CancellationToken cancellationToken);

    /// <summary>Marks the row for purging (guarded by <paramref name="etag"/>): the new ETag, or null when it changed or is gone.</summary>
    Task<string?> MarkPurgeAsync(string queue, string tipId, string etag, CancellationToken cancellationToken);

    /// <summary>Notes of a tip, oldest first.</summary>
    Task<IReadOnlyList<TipNote>> GetNotesAsync(string tipId, CancellationToken cancellationToken);

    /// <summary>Appends a note (insert-only; a note with the same id already there is left as it is).</summary>
    Task AddNoteAsync(string tipId, TipNote note, CancellationToken cancellationToken);

    /// <summary>Audit events of a tip, oldest first.</summary>
    Task<IReadOnlyList<TipEvent>> GetEventsAsync(string tipId, CancellationToken cancellationToken);
}
