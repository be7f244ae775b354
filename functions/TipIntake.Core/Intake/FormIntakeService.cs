using TipIntake.Core.Attachments;
using TipIntake.Core.FloodControl;
using TipIntake.Core.FollowUp;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Intake;

/// <summary>What became of a form posted without JavaScript.</summary>
public abstract record FormIntakeResult
{
    private FormIntakeResult()
    {
    }

    /// <summary>
    /// Queued. <paramref name="ReceiptCode"/> is the intake receipt (its hash is the tip's <c>ReceiptHash</c>);
    /// the reporter is shown <paramref name="FollowUpCode"/> in its place (docs/follow-up.md, "The 202 receipt").
    /// </summary>
    public sealed record Accepted(string ReceiptCode, FollowUpCodeForms FollowUpCode) : FormIntakeResult
    {
        /// <summary>Neither code: a record would print its members into whatever logs or throws it.</summary>
        public override string ToString() => nameof(Accepted);
    }

    /// <summary>Schema path → error code (the validator's codes, e.g. <c>required</c>, <c>too-long</c>).</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string> Errors) : FormIntakeResult;

    public sealed record Unavailable(TimeSpan RetryAfter) : FormIntakeResult;

    /// <summary>The no-script lane is full: try again after <see cref="RetryAfter"/>.</summary>
    public sealed record Busy(TimeSpan RetryAfter) : FormIntakeResult;

    /// <summary>The page's ticket is missing, altered or expired: the form comes back with what was typed and a fresh ticket.</summary>
    public sealed record PageExpired : FormIntakeResult;

    /// <summary>The report from this page was already received: its receipt is not shown again.</summary>
    public sealed record AlreadyReceived : FormIntakeResult;

    /// <summary>A file could not be taken (too many, too large, a type not accepted): nothing was queued.</summary>
    public sealed record FilesRefused(FormFilesRefusal Refusal) : FormIntakeResult;
}

/// <summary>
/// The no-script path (contract 2): validate the tip the posted form makes (the web layer maps its fields) with the
/// processor's own rules, pad it as the browser does (<see cref="TipPadding"/>), build the same JWE a browser would — in memory, under the current intake key — and hand it to the same intake. From the queue on, the
/// two paths cannot be told apart. Once the tip is valid and admitted, the server enrols it for follow-up as the script
/// would (<see cref="FormEnrolments"/>: a code and a <c>followUp</c> member that are functions of the page's
/// submission id). The tip id and receipt are derived from the form's submission id and the plaintext (a fresh JWE
/// differs on every attempt), so a resent or double-posted form keeps one tip and one code. The plaintext buffers are
/// wiped once encrypted.
/// </summary>
public sealed class FormIntakeService(
    TipIntakeService intake, IIntakeKey intakeKey, ReceiptIssuer receipts, FormEnrolments enrolments, TimeProvider time)
{
    /// <summary>The largest padded plaintext: the largest padding bucket, which any valid tip fits.</summary>
    public const int MaxPlaintextBytes = 98_304;

    public Task<FormIntakeResult> SubmitAsync(TipDocument tip, CancellationToken cancellationToken) =>
        SubmitAsync(tip, [], SubmissionId.New(), admit: null, cancellationToken);

    /// <summary>
    /// Validates, encrypts and queues the tip posted under <paramref name="submission"/>, asking
    /// <paramref name="admit"/> (flood control: the page's ticket and the no-script lane) once it is valid and before
    /// anything is encrypted or queued. <paramref name="unwritten"/> are errors the document could not carry (a people
    /// count that is not a number): they are reported with the validator's, and first.
    /// </summary>
    public Task<FormIntakeResult> SubmitAsync(
        TipDocument tip,
        IReadOnlyList<TipError> unwritten,
        SubmissionId submission,
        Func<CancellationToken, ValueTask<FloodDecision>>? admit,
        CancellationToken cancellationToken) =>
        SubmitAsync(tip, unwritten, submission, admit, files: null, cancellationToken);

    /// <summary>
    /// As the other overload, for a post that carries files: once the tip is valid and admitted, <paramref name="files"/>
    /// reads, encrypts and stores them (the rest of the post) and the tip names what it stored.
    /// </summary>
    public async Task<FormIntakeResult> SubmitAsync(
        TipDocument tip,
        IReadOnlyList<TipError> unwritten,
        SubmissionId submission,
        Func<CancellationToken, ValueTask<FloodDecision>>? admit,
        Func<IntakePublicKey, CancellationToken, Task<FormFiles>>? files,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        ArgumentNullException.ThrowIfNull(unwritten);
        var unenrolled = TipPadding.ToPaddedJson(tip with { FollowUp = null });
        try
        {
            if (unenrolled.Length > MaxPlaintextBytes)
            {
                return TooLarge;
            }

            var read = TipReader.Read(unenrolled, time.GetUtcNow());
            var errors = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var error in unwritten.Concat(read.Errors))
            {
                errors.TryAdd(error.Field, error.Code);
            }

            if (errors.Count > 0)
            {
                return new FormIntakeResult.Invalid(errors);
            }

            FloodDecision decision;
            try
            {
                decision = admit is null ? FloodDecision.Admitted(effort: null, Lane.Main) : await admit(cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException)
            {
                return new FormIntakeResult.Unavailable(intake.RetryAfter);
            }

            switch (decision.Refusal)
            {
                case FloodRefusal.TicketInvalid or FloodRefusal.TicketExpired:
                    return new FormIntakeResult.PageExpired();
                case FloodRefusal.TicketUsed:
                    return new FormIntakeResult.AlreadyReceived();
                case not null:
                    return new FormIntakeResult.Busy(decision.RetryAfter);
            }

            IntakePublicKey key;
            try
            {
                key = await intakeKey.GetPublicKeyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IntakeKeyException)
            {
                return new FormIntakeResult.Unavailable(intake.RetryAfter);
            }

            // Files come after the text in the post (docs/attachments.md, "The no-script path"): read only once the tip
            // is valid and admitted, so that a refused report costs no storage.
            var attached = FormFiles.None;
            try
            {
                attached = files is null ? attached : await files(key, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException)
            {
                return new FormIntakeResult.Unavailable(intake.RetryAfter);
            }

            if (attached.Refusal is { } refusal)
            {
                return new FormIntakeResult.FilesRefused(refusal);
            }

            using var enrolment = enrolments.Enrol(submission);
            if (Encrypt(tip, attached.Entries, enrolment, submission, key) is not var (identity, jwe))
            {
                return TooLarge;
            }

            return await intake.SubmitAsync(jwe, identity, _ => ValueTask.FromResult(decision), cancellationToken).ConfigureAwait(false) switch
            {
                IntakeResult.Accepted accepted => new FormIntakeResult.Accepted(accepted.ReceiptCode, enrolment.Code),
                IntakeResult.Unavailable unavailable => new FormIntakeResult.Unavailable(unavailable.RetryAfter),
                IntakeResult.FloodControlled controlled => new FormIntakeResult.Busy(controlled.RetryAfter),
                IntakeResult.Refused refused => throw new InvalidOperationException(
                    $"The service refused its own envelope ({Codes.Of(refused.Fault)})."),
                var other => throw new InvalidOperationException($"Unknown intake result {other.GetType().Name}."),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(unenrolled);
        }
    }

    private static FormIntakeResult.Invalid TooLarge => new(new Dictionary<string, string> { ["narrative"] = "too-large" });

    /// <summary>The identity and JWE of the tip with its <c>followUp</c> member, or no JWE if the member made it too large.</summary>
    private (SubmissionIdentity Identity, string Jwe)? Encrypt(
        TipDocument tip, IReadOnlyList<AttachmentEntry> attachments, FormEnrolment enrolment, SubmissionId submission, IntakePublicKey key)
    {
        using var member = JsonDocument.Parse(enrolment.Member);
        var plaintext = TipPadding.ToPaddedJson(tip with
        {
            FollowUp = member.RootElement,
            Attachments = attachments.Count == 0 ? null : AttachmentManifestWriter.ToJson(attachments),
        });
        try
        {
            return plaintext.Length > MaxPlaintextBytes
                ? null
                : (receipts.IdentityFor(submission, SubmittedPayload.Form, plaintext), JweEncryptor.Encrypt(plaintext, key));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
