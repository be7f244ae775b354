using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Routing;
using TipIntake.Core.Tips;

namespace TipIntake.Core.Processing;

/// <summary>
/// Contract 5: unwrap → decrypt → validate → route → write. Permanent failures go to the quarantine with the message
/// kept whole; transient ones ask the queue to retry. Every message ends stored, quarantined, or retried.
/// </summary>
public sealed class TipProcessor(
    IIntakeKey intakeKey,
    ITipStore tips,
    IQuarantine quarantine,
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

        if (!JweParser.TryParse(envelope.Jwe, TipEnvelope.MaxJweLength, out var jwe, out var fault))
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

        return await StoreAsync(message, envelope, jwe.Header.KeyId, read.Tip, cancellationToken).ConfigureAwait(false);
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
            }
            else
            {
                Log.TipAlreadyStored(logger, envelope.TipId);
            }

            return new ProcessingOutcome.Stored(envelope.TipId, route.Queue, WasRedelivery: !added);
        }
        catch (StorageUnavailableException)
        {
            Log.WillRetry(logger, envelope.TipId, message.DequeueCount, "tip store unavailable");
            return new ProcessingOutcome.RetryLater("tip store unavailable");
        }
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
                Log.WillRetry(logger, envelope.TipId, message.DequeueCount, "intake key unavailable");
                return new ProcessingOutcome.RetryLater("intake key unavailable");
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
            Log.WillRetry(logger, id, message.DequeueCount, "quarantine unavailable");
            return new ProcessingOutcome.RetryLater("quarantine unavailable");
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

        return envelope is { Version: TipEnvelope.CurrentVersion, TipId: var id, ReceiptHash.Length: > 0, Jwe.Length: > 0 }
            && id.Length == 32 && id.All(char.IsAsciiHexDigitLower);
    }
}
