using TipIntake.Core.FloodControl;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;

namespace TipIntake.Core.Intake;

/// <summary>
/// Accepts an encrypted tip: checks the envelope's shape and header (never its content), wraps it in a queue
/// message with the submission's tip id and receipt (a JWE too large for the message goes to the claim-check store
/// first), and reports success only once the queue holds it.
/// </summary>
public sealed partial class TipIntakeService(
    IIntakeKey intakeKey,
    ITipInbox inbox,
    IClaimCheckStore claimChecks,
    ReceiptIssuer receipts,
    TimeProvider time,
    IOptions<IntakeOptions> options,
    ILogger<TipIntakeService> logger,
    Logging.SubmissionRefusals? refusals = null)
{
    /// <summary>
    /// Accepts a submission that flood control has nothing to say about, under a fresh submission id (so it can never
    /// collapse onto another).
    /// </summary>
    public Task<IntakeResult> SubmitAsync(string compactJwe, CancellationToken cancellationToken) =>
        SubmitAsync(compactJwe, SubmissionId.New(), admit: null, cancellationToken);

    /// <summary>
    /// Accepts a browser-made JWE sent under <paramref name="submission"/>, asking <paramref name="admit"/> (flood
    /// control) once the envelope's shape, header and key were found right and before it is queued: a malformed
    /// submission gets its specific fault first, and only a submission that could be queued spends a stamp. The
    /// decision says which lane it waits in and the effort the envelope carries.
    /// A resend of the same JWE under the same submission id gets the same receipt and tip id, so however many of the
    /// attempts reached the queue, processing keeps one tip.
    /// </summary>
    public Task<IntakeResult> SubmitAsync(
        string compactJwe, SubmissionId submission, Func<CancellationToken, ValueTask<FloodDecision>>? admit, CancellationToken cancellationToken) =>
        SubmitCoreAsync(compactJwe, JweContent.Tip, () => IdentityOf(submission, SubmittedPayload.Jwe, compactJwe), admit, cancellationToken);

    /// <summary>
    /// Accepts a reporter's answer (docs/follow-up.md, "Answering"): exactly like a tip — blind to its content, resend-safe
    /// under its submission id — but only a JWE whose <c>cty</c> says answer, at most <see cref="TipEnvelope.MaxAnswerJweLength"/>.
    /// It travels the same queue under an id of its own; the processor tells it from a tip by that <c>cty</c>.
    /// </summary>
    public Task<IntakeResult> SubmitAnswerAsync(
        string compactJwe, SubmissionId submission, Func<CancellationToken, ValueTask<FloodDecision>>? admit, CancellationToken cancellationToken) =>
        SubmitCoreAsync(compactJwe, JweContent.Answer, () => IdentityOf(submission, SubmittedPayload.AnswerJwe, compactJwe), admit, cancellationToken);

    /// <summary>Accepts an answer whose identity the caller derived (the no-script follow-up page derives it from the plaintext).</summary>
    public Task<IntakeResult> SubmitAnswerAsync(
        string compactJwe, SubmissionIdentity identity, Func<CancellationToken, ValueTask<FloodDecision>>? admit, CancellationToken cancellationToken) =>
        SubmitCoreAsync(compactJwe, JweContent.Answer, () => identity, admit, cancellationToken);

    /// <summary>Accepts a JWE whose identity the caller derived (the no-script path derives it from the plaintext).</summary>
    public Task<IntakeResult> SubmitAsync(
        string compactJwe, SubmissionIdentity identity, Func<CancellationToken, ValueTask<FloodDecision>>? admit, CancellationToken cancellationToken) =>
        SubmitCoreAsync(compactJwe, JweContent.Tip, () => identity, admit, cancellationToken);

    private SubmissionIdentity IdentityOf(SubmissionId submission, SubmittedPayload payload, string compactJwe) =>
        receipts.IdentityFor(submission, payload, System.Text.Encoding.ASCII.GetBytes(compactJwe));

    private async Task<IntakeResult> SubmitCoreAsync(
        string compactJwe,
        JweContent expected,
        Func<SubmissionIdentity> identify,
        Func<CancellationToken, ValueTask<FloodDecision>>? admit,
        CancellationToken cancellationToken)
    {
        var maxLength = expected == JweContent.Answer ? TipEnvelope.MaxAnswerJweLength : TipEnvelope.MaxJweLength;
        if (!JweParser.TryParse(compactJwe, maxLength, out var jwe, out var fault))
        {
            return Refuse(fault);
        }

        // A tip on the answer route, or an answer on the tip route: each route takes one kind.
        if (jwe.Header.Content != expected)
        {
            return Refuse(JweFault.UnsupportedCty);
        }

        try
        {
            // From the versions last read from the key store: free, so it may come before the stamp (a kid check that
            // asked the store would let anyone spend its request budget with made-up versions).
            var version = intakeKey.CheckKeyVersion(jwe.Header.KeyId);
            if (version.State == KeyVersionState.Refused)
            {
                return Refuse(JweFault.UnsupportedKid);
            }

            if (version.State == KeyVersionState.Unknown)
            {
                Log.IntakeUnavailable(logger, "KeyVersionsNotRead");
                return new IntakeResult.Unavailable(options.Value.RetryAfter);
            }

            if (jwe.EncryptedKey.Length != version.ModulusLength)
            {
                return Refuse(JweFault.InvalidEncryptedKey);
            }

            var decision = admit is null ? FloodDecision.Admitted(effort: null, Lane.Main) : await admit(cancellationToken).ConfigureAwait(false);
            if (!decision.IsAdmitted)
            {
                return new IntakeResult.FloodControlled(decision);
            }

            var identity = identify();
            var inline = compactJwe.Length <= TipEnvelope.MaxInlineJweLength;
            if (!inline)
            {
                // Written before the message that names it, so that no message can name a JWE that is not there.
                await claimChecks.PutAsync(receipts.ClaimCheckNameOf(identity.TipId), compactJwe, cancellationToken).ConfigureAwait(false);
            }

            var envelope = new TipEnvelope(
                TipEnvelope.CurrentVersion,
                identity.TipId,
                TipEnvelope.TruncateToHour(time.GetUtcNow()),
                identity.Receipt.Hash,
                inline ? compactJwe : null,
                inline ? null : receipts.ClaimCheckNameOf(identity.TipId),
                decision.Effort);
            await inbox.EnqueueAsync(envelope, decision.Lane, cancellationToken).ConfigureAwait(false);
            Log.SubmissionQueued(logger);
            return new IntakeResult.Accepted(identity.Receipt.Code);
        }
        catch (StorageUnavailableException ex)
        {
            Log.IntakeUnavailable(logger, ex.GetType().Name);
            return new IntakeResult.Unavailable(options.Value.RetryAfter);
        }
    }

    /// <summary>How long clients are told to wait when the service is unavailable.</summary>
    public TimeSpan RetryAfter => options.Value.RetryAfter;

    /// <summary>
    /// 128 random bits in the tip id's form (for tests and tools; intake derives ids with <see cref="ReceiptIssuer"/>).
    /// Deliberately not time-ordered: a UUIDv7 would embed the precise arrival time.
    /// </summary>
    public static string NewTipId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private IntakeResult.Refused Refuse(JweFault fault)
    {
        Log.SubmissionRefused(logger, Codes.Of(fault));
        refusals?.Add(Codes.Of(fault));
        return new IntakeResult.Refused(fault);
    }

    private static partial class Log
    {
        /// <summary>No tip id here: with the log's own timestamp it would tie a stored tip to its precise arrival time.</summary>
        [LoggerMessage(1001, LogLevel.Information, "Tip queued")]
        public static partial void SubmissionQueued(ILogger logger);

        /// <summary>Debug: a flood of refusals must not flood the shipped logs; <see cref="Logging.SubmissionRefusals"/> counts them.</summary>
        [LoggerMessage(1002, LogLevel.Debug, "Submission refused: {FaultCode}")]
        public static partial void SubmissionRefused(ILogger logger, string faultCode);

        [LoggerMessage(1003, LogLevel.Warning, "Submission not accepted now, storage or key unavailable ({ErrorType})")]
        public static partial void IntakeUnavailable(ILogger logger, string errorType);
    }
}
