using TipIntake.Core.FollowUp;

namespace TipIntake.Functions.Contracts;

/// <summary>Counts per triage queue and status. A list page is the core's <see cref="TipPage"/> as it is.</summary>
public sealed record TipCountsBody(IReadOnlyList<TipCount> Counts);

/// <summary><c>author</c> is the staff member's object id; <c>authorName</c> the display name the token carried.</summary>
public sealed record TipNoteBody(string Id, string Author, string? AuthorName, string Text, DateTimeOffset At);

/// <summary>
/// A file the tip names, as staff see it before downloading it: its number, state (attached, awaited, missing,
/// mismatch, over-limit), type as the reporter's browser said it, true size, handling, what cleaning removed, and the
/// plaintext's SHA-256 in lowercase hex — never the wrapped key, the upload id or the digest over its ciphertext.
/// </summary>
public sealed record TipAttachmentBody(int Number, string State, string Type, long Size, string Handling, IReadOnlyList<string> Removed, string Sha256)
{
    public static TipAttachmentBody From(Core.Attachments.TipAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        var entry = attachment.Entry;
        return new(attachment.Number, Core.Codes.Of(attachment.State), entry.Type, entry.Size, entry.Handling, entry.Removed, Convert.ToHexStringLower(entry.Sha256));
    }
}

/// <summary>One tip for a reader: the summary's fields, the content, the notes, its files, and the statuses it may move to next.</summary>
public sealed record TipDetailBody(
    string Id, string Queue, string Status, int Priority, string Category, string Urgency, string? Country, string? Region,
    DateTimeOffset ReceivedHour, string? AssignedTo, IReadOnlyList<string> Labels, DateTimeOffset? LastChangedAt,
    string Narrative, string? Place, string? ObservedFrom, string? ObservedTo, int? PeopleCount, string? Language, string? Contact,
    IReadOnlyList<TipNoteBody> Notes, IReadOnlyList<string> NextStatuses, int? EffortBand, IReadOnlyList<TipAttachmentBody> Attachments)
{
    public static TipDetailBody From(TipDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var (tip, content) = (detail.Summary, detail.Content);
        return new(tip.Id, tip.Queue, tip.Status, tip.Priority, tip.Category, tip.Urgency, tip.Country, tip.Region,
            tip.ReceivedHour, tip.AssignedTo, tip.Labels, tip.LastChangedAt,
            content.Narrative, content.Place, content.ObservedFrom, content.ObservedTo, content.PeopleCount, content.Language, content.Contact,
            [.. detail.Notes.Select(note => new TipNoteBody(note.Id, note.AuthorId, note.AuthorName, note.Text, note.At))], TriageWorkflow.NextOf(tip.Status), tip.EffortBand,
            [.. detail.Attachments.Select(TipAttachmentBody.From)]);
    }
}

/// <summary>An audit event: when, who (object id), what, and the triage values before and after.</summary>
public sealed record TipEventBody(DateTimeOffset At, string Actor, string Action, string? From, string? To);

public sealed record TipEventsBody(IReadOnlyList<TipEventBody> Items)
{
    /// <summary>A tip's trail, or null when there is no such tip.</summary>
    public static TipEventsBody? From(IReadOnlyList<TipEvent>? events) =>
        events is null ? null : new([.. events.Select(e => new TipEventBody(e.At, e.Actor, e.Action, e.From, e.To))]);
}

public sealed record StatusRequest(string Status);

/// <summary><c>assignee</c> must be present; null unassigns.</summary>
public sealed record AssignmentRequest(string? Assignee);

public sealed record LabelsRequest(IReadOnlyList<string>? Add = null, IReadOnlyList<string>? Remove = null);

public sealed record NoteRequest(string Text);

/// <summary><c>state</c>: <c>linked</c> or <c>unlinked</c>.</summary>
public sealed record RelationRequest(string State);

/// <summary>An editor's decision on a pair, and the state it replaced.</summary>
public sealed record RelationDecisionBody(string TipId, string OtherId, string State, string Before);

/// <summary>
/// Why a tip is suggested: <c>code</c> (same-place-weeks, same-contact, shared-words, manual), the shared place with
/// its spellings from the gazetteer, or the number of rare words shared.
/// </summary>
public sealed record RelationReasonBody(string Code, string? Place, IReadOnlyList<string>? PlaceNames, int? Count);

/// <summary>A related tip: its summary (never its content), the reasons and the decision.</summary>
public sealed record RelatedTipBody(TipSummary Tip, IReadOnlyList<RelationReasonBody> Reasons, string State);

public sealed record RelatedTipsBody(IReadOnlyList<RelatedTipBody> Items);

/// <summary>Tips to dismiss together (at most 100): only those no one has touched are (<c>POST /api/triage/dismissals</c>).</summary>
public sealed record DismissalRequest(IReadOnlyList<string> TipIds);

/// <summary>What a bulk dismissal did: the tips dismissed, and those left as they were with why.</summary>
public sealed record DismissalBody(IReadOnlyList<string> Dismissed, IReadOnlyList<SkippedTip> Skipped);

/// <summary>A thread as triage reads it: the reporter's key to encrypt to (null: no follow-up), the flags, the messages.</summary>
public sealed record ThreadBody(
    string FollowUp, ThreadKeyBody? ReporterKey, string? Ref, bool AwaitingReporter, bool NewAnswers, IReadOnlyList<ThreadMessageBody> Messages)
{
    public static ThreadBody Of(StaffThread thread)
    {
        ArgumentNullException.ThrowIfNull(thread);
        return new(
            thread.FollowUp,
            thread.ReporterKey is { } key ? new ThreadKeyBody("EC", "P-256", key.X, key.Y, key.Thumbprint) : null,
            thread.Ref,
            thread.AwaitingReporter,
            thread.NewAnswers,
            [.. thread.Messages.Select(m => new ThreadMessageBody(m.Id, m.From, m.Day, m.Text, m.AuthorName))]);
    }
}

/// <summary>The reporter's public JWK and its RFC 7638 thumbprint, the <c>kid</c> a message to it must carry.</summary>
public sealed record ThreadKeyBody(string Kty, string Crv, string X, string Y, string Kid);

public sealed record ThreadMessageBody(string Id, string From, string Day, string? Text, string? Author);

/// <summary>POST …/messages: both copies made in the staff member's browser, and whether a reply is awaited.</summary>
/// <remarks>Each member is optional here; the service says what is missing (400 <c>message-malformed</c>).</remarks>
public sealed record MessageRequest(string? ToReporter = null, string? ForStaff = null, bool AwaitReply = false);

public sealed record MessageSentBody(string Id);

/// <summary>
/// The triage API's wire types. Requests are read strictly: unknown or duplicate members, a missing required member
/// or a null where none is allowed fail to parse (400).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(TipPage))]
[JsonSerializable(typeof(TipCountsBody))]
[JsonSerializable(typeof(TipDetailBody))]
[JsonSerializable(typeof(TipEventsBody))]
[JsonSerializable(typeof(StatusRequest))]
[JsonSerializable(typeof(AssignmentRequest))]
[JsonSerializable(typeof(LabelsRequest))]
[JsonSerializable(typeof(NoteRequest))]
[JsonSerializable(typeof(RelationRequest))]
[JsonSerializable(typeof(RelationDecisionBody))]
[JsonSerializable(typeof(RelatedTipsBody))]
[JsonSerializable(typeof(DismissalRequest))]
[JsonSerializable(typeof(DismissalBody))]
[JsonSerializable(typeof(ThreadBody))]
[JsonSerializable(typeof(MessageRequest))]
[JsonSerializable(typeof(MessageSentBody))]
public sealed partial class TriageJsonContext : JsonSerializerContext;
