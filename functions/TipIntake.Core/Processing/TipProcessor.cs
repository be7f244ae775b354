using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Routing;
using TipIntake.Core.Tips;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Processing;

/// <summary>
/// Contract 5: unwrap → decrypt → validate → route → write. Permanent failures go to the quarantine with the message
/// kept whole; transient ones ask the queue to retry. Every message ends stored, quarantined, or retried.
/// </summary>
public sealed class TipProcessor(
    IIntakeKey intakeKey,
    ITipStore tips,
    IQuarantine quarantine,
    IClaimCheckStore claimChecks,
    TipRouter router,
    TimeProvider time,
    ILogger<TipProcessor> logger)
{
    public async Task<ProcessingOutcome> ProcessAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TryReadEnvelope(message.Body, out var envelope))
        {
            return await QuarantineAsync(message, null, QuarantineReason.EnvelopeInvalid, "not a v1 envelope", cancellationToken)
                .ConfigureAwait(false);
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
            return await QuarantineAsync(message, envelope, QuarantineReason.JweInvalid, JweFaultDescriptions.CodeOf(fault), cancellationToken)
                .ConfigureAwait(false);
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

        TipReadResult read;
        try
        {
            read = TipReader.Read(plaintext, time.GetUtcNow());
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

        var outcome = await StoreAsync(message, envelope, jwe.Header.KeyId, read.Tip, cancellationToken).ConfigureAwait(false);
        if (outcome is ProcessingOutcome.Stored && envelope.JweRef is { } stored)
        {
            await ForgetClaimCheckAsync(envelope.TipId, stored, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>For messages the queue gave up on: keep them in the quarantine, whatever they contain.</summary>
    public Task<ProcessingOutcome> QuarantinePoisonAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var envelope = TryReadEnvelope(message.Body, out var parsed) ? parsed : null;
        return QuarantineAsync(message, envelope, QuarantineReason.RetriesExhausted, "moved from the poison queue", cancellationToken);
    }

    private async Task<ProcessingOutcome> StoreAsync(
        InboundMessage message, TipEnvelope envelope, string keyId, Tip tip, CancellationToken cancellationToken)
    {
        var route = router.Route(tip);
        var stored = new StoredTip(envelope.TipId, route, tip, envelope.ReceivedHour, envelope.ReceiptHash, keyId);
        try
        {
            var added = await tips.TryAddAsync(stored, cancellationToken).ConfigureAwait(false);
            if (added)
            {
                Log.TipStored(logger, envelope.TipId, route.Queue);
                if (tip.Urgency == TipUrgencies.Imminent)
                {
                    Log.ImminentTipWaiting(logger, route.Queue);
                }
            }
            else
            {
                Log.TipAlreadyStored(logger, envelope.TipId);
            }

            return new ProcessingOutcome.Stored(envelope.TipId, route.Queue, WasRedelivery: !added);
        }
        catch (StorageUnavailableException)
        {
            return RetryLater(envelope.TipId, message, "tip store unavailable");
        }
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
            Log.TipAlreadyStored(logger, envelope.TipId);
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
            Log.ClaimCheckLeftBehind(logger, tipId);
        }
    }

    /// <summary>Logs why the message goes back to the queue, and says so.</summary>
    private ProcessingOutcome.RetryLater RetryLater(string id, InboundMessage message, string reason)
    {
        Log.WillRetry(logger, id, message.DequeueCount, reason);
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
                Log.KeyAccessDenied(logger, envelope.TipId, message.DequeueCount);
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

        Log.Quarantined(logger, id, QuarantineReasons.CodeOf(reason));
        return new ProcessingOutcome.Quarantined(id, reason);
    }

    private static bool TryReadEnvelope(ReadOnlyMemory<byte> body, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TipEnvelope? envelope)
    {
        envelope = null;
        try
        {
            envelope = JsonSerializer.Deserialize(body.Span, EnvelopeJsonContext.Default.TipEnvelope);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
        {
            return false;
        }

        return envelope is { Version: TipEnvelope.CurrentVersion, ReceiptHash.Length: > 0 }
            && TriageIds.IsTipId(envelope.TipId)
            && (envelope is { Jwe.Length: > 0, JweRef: null } || (envelope.Jwe is null && TriageIds.IsTipId(envelope.JweRef)));
    }
}
