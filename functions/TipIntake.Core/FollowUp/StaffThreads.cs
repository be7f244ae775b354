using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Staff;
using TipIntake.Core.Triage;

namespace TipIntake.Core.FollowUp;

/// <summary>A tip's follow-up as triage sees it: whether the reporter can be reached, the flags, and the reporter's key to write to.</summary>
public sealed record FollowUpThreadState(string FollowUp, ReporterPublicKey? ReporterKey, string? Ref, bool AwaitingReporter, bool NewAnswers);

/// <summary>A stored message: a reporter's answer (<see cref="Text"/>), or the organisation's (<see cref="ForStaff"/>, encrypted).</summary>
public sealed record ThreadRow(string Id, string From, string Day, string? Text, string? ForStaff, string? AuthorName);

/// <summary>An organisation's message as stored: both copies, encrypted in the staff member's browser.</summary>
public sealed record OrganisationMessage(string TipId, string Id, string Day, string ForReporter, string ForStaff, string AuthorId, string? AuthorName);

/// <summary>A message as triage shows it: the text, or null when it cannot be opened.</summary>
public sealed record StaffThreadMessage(string Id, string From, string Day, string? Text, string? AuthorName);

/// <summary>A thread for triage; <see cref="Ref"/> goes into each message's plaintext, so that it cannot be moved to another thread.</summary>
public sealed record StaffThread(
    string FollowUp, ReporterPublicKey? ReporterKey, string? Ref, bool AwaitingReporter, bool NewAnswers, IReadOnlyList<StaffThreadMessage> Messages);

/// <summary>Triage's side of thread storage (table <c>TipMessages</c> and the tip's follow-up columns).</summary>
public interface IThreadStore
{
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task<FollowUpThreadState> ReadStateAsync(string triageQueue, string tipId, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="max"/> messages, oldest first.</summary>
    Task<IReadOnlyList<ThreadRow>> ReadMessagesAsync(string tipId, int max, CancellationToken cancellationToken);

    /// <summary>Adds the organisation's message to the tip's thread (insert-only).</summary>
    Task AddMessageAsync(OrganisationMessage message, CancellationToken cancellationToken);
}

/// <summary>What became of a staff member's message.</summary>
public abstract record MessageOutcome
{
    private MessageOutcome()
    {
    }

    public sealed record Sent(string Id) : MessageOutcome;

    public sealed record NotFound : MessageOutcome;

    /// <summary>The tip has no reporter to write to: no follow-up, a refused enrolment, or access that has expired.</summary>
    public sealed record Unavailable : MessageOutcome;

    /// <summary>The message is not encrypted to the reporter's current key (the page read another one).</summary>
    public sealed record KeyChanged : MessageOutcome;

    public sealed record Malformed(string Detail) : MessageOutcome;
}

/// <summary>
/// The organisation's side of a follow-up thread (docs/follow-up.md, "Triage"). Messages are encrypted in the staff
/// member's browser, twice — to the reporter's key and, so that staff can read back what was sent, to the intake key —
/// and this service only checks their shape: it never sees a staff message's text except when a staff member reads the
/// thread, which is audited before anything is shown. Every message sent is audited (who, when, never the text).
/// </summary>
public sealed class StaffThreads(ITriageStore triage, IThreadStore threads, TipFlags flags, IIntakeKey intakeKey, TimeProvider time)
{
    public const int MaxMessages = 50;
    public const int MaxJweLength = 24_576;

    /// <summary>A message's text, as an answer's (docs/follow-up.md, "Sizes").</summary>
    public const int MaxTextCharacters = AnswerReader.MaxTextCharacters;
    public const string Organisation = "organisation";
    public const string Reporter = "reporter";


    /// <summary>The thread, after recording that <paramref name="viewer"/> read it; null for an unknown tip.</summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached, or the reading could not be recorded.</exception>
    public async Task<StaffThread?> ReadAsync(string tipId, StaffMember viewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        if (!TriageIds.IsTipId(tipId) || await triage.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip)
        {
            return null;
        }

        // Reading a thread is reading content: recorded before anything leaves, and nothing leaves if it cannot be.
        await RecordAsync(tipId, viewer, TipEventAction.ThreadViewed, null, cancellationToken).ConfigureAwait(false);
        var state = await threads.ReadStateAsync(tip.Summary.Queue, tipId, cancellationToken).ConfigureAwait(false);
        var rows = await threads.ReadMessagesAsync(tipId, MaxMessages, cancellationToken).ConfigureAwait(false);
        var messages = new List<StaffThreadMessage>(rows.Count);
        foreach (var row in rows)
        {
            var text = row.From == Organisation ? await OpenStaffCopyAsync(row.ForStaff, cancellationToken).ConfigureAwait(false) : row.Text;
            messages.Add(new StaffThreadMessage(row.Id, row.From, row.Day, text, row.AuthorName));
        }

        return new StaffThread(state.FollowUp, state.ReporterKey, state.Ref, state.AwaitingReporter, state.NewAnswers, messages);
    }

    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    public async Task<MessageOutcome> SendAsync(
        string tipId, string? toReporter, string? forStaff, bool awaitReply, StaffMember author, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(author);
        if (!TriageIds.IsTipId(tipId) || await triage.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip)
        {
            return new MessageOutcome.NotFound();
        }

        var state = await threads.ReadStateAsync(tip.Summary.Queue, tipId, cancellationToken).ConfigureAwait(false);
        if (state.FollowUp != FollowUpStates.Active || state.ReporterKey is not { } key)
        {
            return new MessageOutcome.Unavailable();
        }

        if (CheckToReporter(toReporter, key) is { } problem)
        {
            return problem;
        }

        if (forStaff is null || forStaff.Length > MaxJweLength || !JweParser.TryParse(forStaff, MaxJweLength, out var staffCopy, out _)
            || staffCopy.Header.Content != JweContent.Message || intakeKey.CheckKeyVersion(staffCopy.Header.KeyId).State != KeyVersionState.Accepted)
        {
            return new MessageOutcome.Malformed("forStaff must be a compact JWE, RSA-OAEP-256 and A256GCM to a current intake key version, with the message cty.");
        }

        var now = time.GetUtcNow();
        var id = TriageIds.NewTimeOrdered(now);
        var message = new OrganisationMessage(tipId, id, now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), toReporter!, forStaff, author.ObjectId, author.Name);
        await threads.AddMessageAsync(message, cancellationToken).ConfigureAwait(false);
        await flags.SetAsync(tip.Summary.Queue, tipId, summary => summary with { AwaitingReporter = awaitReply }, cancellationToken).ConfigureAwait(false);
        await RecordAsync(tipId, author, TipEventAction.MessageSent, id, cancellationToken).ConfigureAwait(false);
        return new MessageOutcome.Sent(id);
    }

    /// <summary>Clears the tip's new-answers flag and records who read them; false for an unknown tip.</summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    public async Task<bool> MarkAnswersReadAsync(string tipId, StaffMember reader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (!TriageIds.IsTipId(tipId) || await triage.GetAsync(tipId, cancellationToken).ConfigureAwait(false) is not { } tip)
        {
            return false;
        }

        await flags.SetAsync(tip.Summary.Queue, tipId, summary => summary with { NewAnswers = false }, cancellationToken).ConfigureAwait(false);
        await RecordAsync(tipId, reader, TipEventAction.AnswersRead, null, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The shape of the reporter's copy: ECDH-ES and A256GCM, the message cty, a point of P-256, to the reporter's key.</summary>
    private static MessageOutcome? CheckToReporter(string? toReporter, ReporterPublicKey key)
    {
        if (toReporter is null || toReporter.Length > MaxJweLength || ReporterMessageJwe.KidOfWellFormed(toReporter) is not { } kid)
        {
            return new MessageOutcome.Malformed("toReporter must be a compact JWE, ECDH-ES and A256GCM with an epk on P-256 and the message cty.");
        }

        return kid == key.Thumbprint ? null : new MessageOutcome.KeyChanged();
    }

    /// <summary>The staff copy's text, opened with the intake key (one unwrap), or null when it cannot be.</summary>
    private async Task<string?> OpenStaffCopyAsync(string? forStaff, CancellationToken cancellationToken)
    {
        if (forStaff is null || !JweParser.TryParse(forStaff, MaxJweLength, out var jwe, out _) || jwe.Header.Content != JweContent.Message)
        {
            return null;
        }

        byte[] contentKey;
        try
        {
            contentKey = await intakeKey.UnwrapAsync(jwe.Header.KeyId, jwe.EncryptedKey, cancellationToken).ConfigureAwait(false);
        }
        catch (IntakeKeyException)
        {
            return null;
        }

        try
        {
            if (!JweDecryptor.TryDecrypt(jwe, contentKey, out var plaintext))
            {
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(plaintext);
                return document.RootElement.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
        }
    }

    private Task RecordAsync(string tipId, StaffMember actor, TipEventAction action, string? to, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        return triage.AddEventAsync(new TipEvent(tipId, TriageIds.NewTimeOrdered(at), at, actor.ObjectId, Codes.Of(action), null, to), cancellationToken);
    }
}
