using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Routing;
using TipIntake.Core.Tips;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Processing;

/// <summary>
/// Contract 5: unwrap → decrypt → validate → route → write. Permanent failures go to the quarantine with the message
/// kept whole; transient ones ask the queue to retry. Every message ends stored, quarantined, retried — or deferred:
/// put back on a lane to be processed later, highest effort first (docs/flood-control.md, "Lanes"). Script-path work
/// paid below the suggested effort moves from the main lane to the bulk lane; bulk work waits while the main lane has
/// work; and no unwrap is asked of the key store without a token of the shared budget, main lane first. Waiting is done
/// holding the message, for up to <see cref="ProcessingOptions.HoldFor"/>: a held message costs no storage operation,
/// while one put back costs two, and a lane of thousands cycling through its queue would take the storage the main
/// lane needs. Only after that is it put back.
/// </summary>
public sealed partial class TipProcessor(
    IIntakeKey intakeKey,
    ITipStore tips,
    IQuarantine quarantine,
    IClaimCheckStore claimChecks,
    TipRouter router,
    TimeProvider time,
    ILogger<TipProcessor> logger,
    ITipInbox? lanes = null,
    IUnwrapBudget? budget = null,
    FloodControl.FloodState? flood = null,
    Microsoft.Extensions.Options.IOptions<ProcessingOptions>? options = null,
    FollowUp.FollowUpEnrolments? followUp = null,
    FollowUp.ReporterAnswers? answers = null,
    Attachments.AttachmentBinder? attachments = null)
{
    /// <summary>How often a held message looks again whether it may go on.</summary>
    public static readonly TimeSpan HoldPoll = TimeSpan.FromMilliseconds(250);

    private readonly ProcessingOptions _options = options?.Value ?? new ProcessingOptions();

    /// <summary>A message of the main lane.</summary>
    public Task<ProcessingOutcome> ProcessAsync(InboundMessage message, CancellationToken cancellationToken) =>
        ProcessAsync(message, Lane.Main, cancellationToken);

    public async Task<ProcessingOutcome> ProcessAsync(InboundMessage message, Lane lane, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TipEnvelope.TryRead(message.Body.Span, out var envelope))
        {
            return await QuarantineAsync(message, null, QuarantineReason.EnvelopeInvalid, "not a v1 envelope", cancellationToken)
                .ConfigureAwait(false);
        }

        if (lanes is not null && flood is not null)
        {
            // Work that was paid less than what is now processed first makes way (the no-script lane's has no effort).
            if (lane == Lane.Main && envelope.Effort is { } effort && effort < flood.SuggestedEffort)
            {
                return await DeferAsync(message, envelope, Lane.Bulk, TimeSpan.Zero, "paid below the suggested effort", cancellationToken).ConfigureAwait(false);
            }

            if (lane == Lane.Bulk
                && !await HoldUntilAsync(() => ValueTask.FromResult(flood.MainBacklog <= _options.BulkWhenMainBelow), cancellationToken).ConfigureAwait(false))
            {
                return await DeferAsync(message, envelope, Lane.Bulk, _options.BulkDeferral, "the main lane has work", cancellationToken).ConfigureAwait(false);
            }
        }

        string compactJwe;
        if (envelope.Jwe is { } inline)
        {
            compactJwe = inline;
        }
        else
        {
            try
            {
                var fetched = await claimChecks.GetAsync(envelope.JweRef!, cancellationToken).ConfigureAwait(false);
                if (fetched is null)
                {
                    return await OnClaimCheckMissingAsync(message, envelope, cancellationToken).ConfigureAwait(false);
                }

                compactJwe = fetched;
            }
            catch (StorageUnavailableException)
            {
                return RetryLater(envelope.TipId, message, "claim-check store unavailable");
            }
        }

        if (!JweParser.TryParse(compactJwe, TipEnvelope.MaxJweLength, out var jwe, out var fault))
        {
            return await QuarantineAsync(message, envelope, QuarantineReason.JweInvalid, Codes.Of(fault), cancellationToken)
                .ConfigureAwait(false);
        }

        if (budget is not null && lanes is not null)
        {
            bool granted;
            try
            {
                granted = await HoldUntilAsync(() => budget.TryTakeAsync(lane, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException)
            {
                return RetryLater(envelope.TipId, message, "unwrap budget unavailable");
            }

            if (!granted)
            {
                return await DeferAsync(message, envelope, lane, lane == Lane.Main ? _options.MainDeferral : _options.BulkDeferral,
                    "the unwrap budget is spent for now", cancellationToken).ConfigureAwait(false);
            }
        }

        byte[] contentKey;
        try
        {
            contentKey = await intakeKey.UnwrapAsync(jwe.Header.KeyId, jwe.EncryptedKey, cancellationToken).ConfigureAwait(false);
        }
        catch (IntakeKeyException ex)
        {
            return await OnKeyFailureAsync(message, envelope, jwe, ex, cancellationToken).ConfigureAwait(false);
        }

        byte[] plaintext;
        try
        {
            if (!JweDecryptor.TryDecrypt(jwe, contentKey, out plaintext))
            {
                return await QuarantineAsync(message, envelope, QuarantineReason.TagMismatch, "AES-GCM authentication failed", cancellationToken, jwe.Header.KeyId)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
        }

        if (jwe.Header.Content == JweContent.Message)
        {
            // Intake never accepts one: something other than intake put it on the queue.
            CryptographicOperations.ZeroMemory(plaintext);
            return await QuarantineAsync(message, envelope, QuarantineReason.JweInvalid, Codes.Of(JweFault.UnsupportedCty), cancellationToken, jwe.Header.KeyId)
                .ConfigureAwait(false);
        }

        if (jwe.Header.Content == JweContent.Answer)
        {
            try
            {
                return await AnswerAsync(message, envelope, jwe.Header.KeyId, plaintext, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }

        TipReadResult read;
        try
        {
            read = TipReader.Read(plaintext, time.GetUtcNow(), attachments?.Limits);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }

        if (read.Tip is null)
        {
            var detail = string.Join("; ", read.Errors);
            return await QuarantineAsync(message, envelope, QuarantineReason.TipInvalid, detail, cancellationToken, jwe.Header.KeyId)
                .ConfigureAwait(false);
        }

        var outcome = await StoreAsync(message, envelope, jwe.Header.KeyId, read, cancellationToken).ConfigureAwait(false);
        if (outcome is ProcessingOutcome.Stored && envelope.JweRef is { } stored)
        {
            await ForgetClaimCheckAsync(envelope.TipId, stored, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>
    /// A reporter's answer to a thread (docs/follow-up.md, "Answering"): appended to its tip's messages, or kept in the
    /// quarantine when it is not an answer or its thread is gone — never dropped. The answer's own id stands where a
    /// tip's would.
    /// </summary>
    private async Task<ProcessingOutcome> AnswerAsync(
        InboundMessage message, TipEnvelope envelope, string keyId, byte[] plaintext, CancellationToken cancellationToken)
    {
        if (answers is null)
        {
            return await QuarantineAsync(message, envelope, QuarantineReason.AnswerInvalid, "follow-up is not enabled here", cancellationToken, keyId)
                .ConfigureAwait(false);
        }

        FollowUp.AnswerOutcome outcome;
        try
        {
            outcome = await answers.AcceptAsync(envelope.TipId, envelope.ReceivedHour, plaintext, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            return RetryLater(envelope.TipId, message, "thread store unavailable");
        }

        switch (outcome)
        {
            case FollowUp.AnswerOutcome.Stored stored:
                Log.AnswerStored(logger, stored.TriageQueue);
                return new ProcessingOutcome.Stored(envelope.TipId, stored.TriageQueue, WasRedelivery: false);
            case FollowUp.AnswerOutcome.Invalid invalid:
                return await QuarantineAsync(message, envelope, QuarantineReason.AnswerInvalid, Codes.Of(invalid.Fault), cancellationToken, keyId)
                    .ConfigureAwait(false);
            default:
                return await QuarantineAsync(message, envelope, QuarantineReason.AnswerUnmatched, "no thread has this code and ref", cancellationToken, keyId)
                    .ConfigureAwait(false);
        }
    }

    /// <summary>For messages the queue gave up on: keep them in the quarantine, whatever they contain.</summary>
    public Task<ProcessingOutcome> QuarantinePoisonAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var envelope = TipEnvelope.TryRead(message.Body.Span, out var parsed) ? parsed : null;
        return QuarantineAsync(message, envelope, QuarantineReason.RetriesExhausted, "moved from the poison queue", cancellationToken);
    }

    private async Task<ProcessingOutcome> StoreAsync(
        InboundMessage message, TipEnvelope envelope, string keyId, TipReadResult read, CancellationToken cancellationToken)
    {
        var tip = read.Tip!;
        var route = router.Route(tip);
        var (followUpColumns, thread) = followUp?.Prepare(read.FollowUp, envelope.TipId, route.Queue) ?? default;
        var stored = new StoredTip(envelope.TipId, route, tip, envelope.ReceivedHour, envelope.ReceiptHash, keyId, envelope.Effort, followUpColumns);
        bool added;
        try
        {
            added = await tips.TryAddAsync(stored, cancellationToken).ConfigureAwait(false);

            // After the tip, on a redelivery too (a write of the same row again), so that a failure in between is
            // retried until both are there; the claim-check is deleted only after both.
            if (thread is not null)
            {
                await followUp!.SaveAsync(thread, cancellationToken).ConfigureAwait(false);
            }

            if (added)
            {
                Log.TipStored(logger, route.Queue);
                Log.TipStoredWithId(logger, envelope.TipId, route.Queue);
                if (tip.Urgency == TipUrgencies.Imminent)
                {
                    Log.ImminentTipWaiting(logger, route.Queue);
                }
            }
            else
            {
                Log.TipAlreadyStored(logger);
                Log.TipAlreadyStoredWithId(logger, envelope.TipId);
            }
        }
        catch (StorageUnavailableException)
        {
            return RetryLater(envelope.TipId, message, "tip store unavailable");
        }

        // After the tip's row, so that a file never delays or costs the tip; on a redelivery too, which finishes what
        // a crash between the steps left (docs/attachments.md, "Processing: binding, quarantine").
        if (attachments is not null)
        {
            try
            {
                await attachments.BindAsync(envelope.TipId, read.Attachments, envelope.ReceivedHour, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageUnavailableException)
            {
                return RetryLater(envelope.TipId, message, "attachment storage unavailable");
            }
        }

        return new ProcessingOutcome.Stored(envelope.TipId, route.Queue, WasRedelivery: !added);
    }

    /// <summary>
    /// The named JWE is gone. The usual reason is benign: this message is a redelivery (or a resend's second copy) of a
    /// tip already stored, whose JWE was deleted after storing. Otherwise nothing can be done but keep the envelope.
    /// </summary>
    private async Task<ProcessingOutcome> OnClaimCheckMissingAsync(InboundMessage message, TipEnvelope envelope, CancellationToken cancellationToken)
    {
        string? storedIn;
        try
        {
            storedIn = await tips.FindTriageQueueAsync(envelope.TipId, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            return RetryLater(envelope.TipId, message, "tip store unavailable");
        }

        if (storedIn is not null)
        {
            Log.TipAlreadyStored(logger);
            Log.TipAlreadyStoredWithId(logger, envelope.TipId);
            return new ProcessingOutcome.Stored(envelope.TipId, storedIn, WasRedelivery: true);
        }

        return await QuarantineAsync(message, envelope, QuarantineReason.JweMissing, "the claim-checked JWE is gone", cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Best effort: a JWE left behind is removed by retention (docs/security.md, "Retention").</summary>
    private async Task ForgetClaimCheckAsync(string tipId, string name, CancellationToken cancellationToken)
    {
        try
        {
            await claimChecks.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            Log.ClaimCheckLeftBehind(logger);
        }
    }

    /// <summary>True as soon as <paramref name="ready"/> is; false if it is not within <see cref="ProcessingOptions.HoldFor"/>.</summary>
    private async Task<bool> HoldUntilAsync(Func<ValueTask<bool>> ready, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + _options.HoldFor;
        while (!await ready().ConfigureAwait(false))
        {
            if (time.GetUtcNow() >= until)
            {
                return false;
            }

            await Task.Delay(HoldPoll, time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>
    /// Puts the message back on <paramref name="lane"/>, unchanged, before this delivery completes (so nothing is lost
    /// if the process dies in between: a second copy of the same tip id, kept once by insert-only <c>Tips</c>).
    /// </summary>
    private async Task<ProcessingOutcome> DeferAsync(
        InboundMessage message, TipEnvelope envelope, Lane lane, TimeSpan delay, string reason, CancellationToken cancellationToken)
    {
        try
        {
            await lanes!.RequeueAsync(lane, message.Body, delay, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            return RetryLater(envelope.TipId, message, "lane unavailable");
        }

        Log.Deferred(logger, lane == Lane.Main ? "main" : "bulk", reason);
        return new ProcessingOutcome.Deferred(lane, reason);
    }

    /// <summary>Logs why the message goes back to the queue, and says so.</summary>
    private ProcessingOutcome.RetryLater RetryLater(string id, InboundMessage message, string reason)
    {
        Log.WillRetry(logger, message.DequeueCount, reason);
        Log.WillRetryWithId(logger, id, message.DequeueCount, reason);
        return new ProcessingOutcome.RetryLater(reason);
    }

    private async Task<ProcessingOutcome> OnKeyFailureAsync(
        InboundMessage message, TipEnvelope envelope, CompactJwe jwe, IntakeKeyException failure, CancellationToken cancellationToken)
    {
        switch (failure.Failure)
        {
            case IntakeKeyFailure.KeyUnavailable:
                return await QuarantineAsync(message, envelope, QuarantineReason.KeyUnavailable, "key version unknown, disabled or deleted", cancellationToken, jwe.Header.KeyId)
                    .ConfigureAwait(false);
            case IntakeKeyFailure.Rejected:
                return await QuarantineAsync(message, envelope, QuarantineReason.UnwrapRejected, "the key could not unwrap the content key", cancellationToken, jwe.Header.KeyId)
                    .ConfigureAwait(false);
            case IntakeKeyFailure.Unauthorized:
                Log.KeyAccessDenied(logger, message.DequeueCount);
                return new ProcessingOutcome.RetryLater("intake key access denied");
            default:
                return RetryLater(envelope.TipId, message, "intake key unavailable");
        }
    }

    private async Task<ProcessingOutcome> QuarantineAsync(
        InboundMessage message,
        TipEnvelope? envelope,
        QuarantineReason reason,
        string detail,
        CancellationToken cancellationToken,
        string? keyId = null)
    {
        var id = envelope?.TipId ?? "msg-" + Convert.ToHexStringLower(SHA256.HashData(message.Body.Span))[..32];
        var entry = new QuarantineEntry(id, reason, detail, message.Body, message.DequeueCount, envelope?.TipId, keyId);
        try
        {
            await quarantine.PutAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            return RetryLater(id, message, "quarantine unavailable");
        }

        Log.Quarantined(logger, Codes.Of(reason));
        Log.QuarantinedWithId(logger, id, Codes.Of(reason));
        return new ProcessingOutcome.Quarantined(id, reason);
    }

    private static partial class Log
    {
        // Processing happens seconds after arrival, so a tip id in a line that is shipped (Information and above) would,
        // with the line's own timestamp, tie a stored tip to its precise arrival time (issue 13, finding 4). Lines at
        // Information and above name queues, reasons and counts; the tip id is only in a Debug twin, which production's
        // log levels (host.json: Information) never ship.

        [LoggerMessage(2001, LogLevel.Information, "Tip stored in triage queue {TriageQueue}")]
        public static partial void TipStored(ILogger logger, string triageQueue);

        [LoggerMessage(2002, LogLevel.Information, "A tip was already stored; redelivery ignored")]
        public static partial void TipAlreadyStored(ILogger logger);

        [LoggerMessage(2003, LogLevel.Warning, "Message quarantined: {Reason}")]
        public static partial void Quarantined(ILogger logger, string reason);

        [LoggerMessage(2004, LogLevel.Warning, "A tip will be retried (attempt {Attempt}): {Reason}")]
        public static partial void WillRetry(ILogger logger, long attempt, string reason);

        [LoggerMessage(2005, LogLevel.Error, "The intake key refused this service (401/403): check the function's identity and its role on the key. Attempt {Attempt}")]
        public static partial void KeyAccessDenied(ILogger logger, long attempt);

        [LoggerMessage(2006, LogLevel.Warning, "A tip is stored but its claim-checked JWE could not be deleted; retention will remove it")]
        public static partial void ClaimCheckLeftBehind(ILogger logger);

        [LoggerMessage(2110, LogLevel.Debug, "A tip was put back on the {Lane} lane: {Reason}")]
        public static partial void Deferred(ILogger logger, string lane, string reason);

        [LoggerMessage(2101, LogLevel.Debug, "Tip {TipId} stored in triage queue {TriageQueue}")]
        public static partial void TipStoredWithId(ILogger logger, string tipId, string triageQueue);

        [LoggerMessage(2102, LogLevel.Debug, "Tip {TipId} was already stored; redelivery ignored")]
        public static partial void TipAlreadyStoredWithId(ILogger logger, string tipId);

        [LoggerMessage(2103, LogLevel.Debug, "Message {QuarantineId} quarantined: {Reason}")]
        public static partial void QuarantinedWithId(ILogger logger, string quarantineId, string reason);

        [LoggerMessage(2104, LogLevel.Debug, "Tip {TipId} will be retried (attempt {Attempt}): {Reason}")]
        public static partial void WillRetryWithId(ILogger logger, string tipId, long attempt, string reason);

        /// <summary>
        /// What the staff alert for imminent tips is built on (infra/modules/alerts.bicep): the triage queue only — no tip
        /// id, no content — so that an alert can say nothing more than "an imminent tip is waiting in queue X".
        /// </summary>
        [LoggerMessage(6001, LogLevel.Information, "Imminent tip waiting in triage queue {TriageQueue}")]
        public static partial void ImminentTipWaiting(ILogger logger, string triageQueue);

        /// <summary>Like <see cref="TipStored"/>: the queue, never the tip or the answer.</summary>
        [LoggerMessage(8004, LogLevel.Information, "A reporter's answer was added to a thread of triage queue {TriageQueue}")]
        public static partial void AnswerStored(ILogger logger, string triageQueue);
    }
}
