using TipIntake.Core.FloodControl;
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

    public sealed record Accepted(string ReceiptCode) : FormIntakeResult;

    /// <summary>Schema path → error code (the validator's codes, e.g. <c>required</c>, <c>too-long</c>).</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string> Errors) : FormIntakeResult;

    public sealed record Unavailable(TimeSpan RetryAfter) : FormIntakeResult;

    /// <summary>The no-script lane is full: try again after <see cref="RetryAfter"/>.</summary>
    public sealed record Busy(TimeSpan RetryAfter) : FormIntakeResult;

    /// <summary>The page's ticket is missing, altered or expired: the form comes back with what was typed and a fresh ticket.</summary>
    public sealed record PageExpired : FormIntakeResult;

    /// <summary>The report from this page was already received: its receipt is not shown again.</summary>
    public sealed record AlreadyReceived : FormIntakeResult;
}

/// <summary>
/// The no-script path (contract 2): validate the tip the posted form makes (the web layer maps its fields) with the
/// processor's own rules, pad it as the browser does (<see cref="TipPadding"/>), build the same JWE a browser would — in memory, under the current intake key — and hand it to the same intake. From the queue on, the
/// two paths cannot be told apart. The tip id and receipt are derived from the form's submission id and the
/// plaintext (a fresh JWE differs on every attempt), so a resent or double-posted form keeps one tip. The plaintext
/// buffer is wiped once encrypted.
/// </summary>
public sealed class FormIntakeService(TipIntakeService intake, IIntakeKey intakeKey, ReceiptIssuer receipts, TimeProvider time)
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
    public async Task<FormIntakeResult> SubmitAsync(
        TipDocument tip,
        IReadOnlyList<TipError> unwritten,
        SubmissionId submission,
        Func<CancellationToken, ValueTask<FloodDecision>>? admit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unwritten);
        var plaintext = TipPadding.ToPaddedJson(tip);
        try
        {
            if (plaintext.Length > MaxPlaintextBytes)
            {
                return new FormIntakeResult.Invalid(new Dictionary<string, string> { ["narrative"] = "too-large" });
            }

            var read = TipReader.Read(plaintext, time.GetUtcNow());
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

            var identity = receipts.IdentityFor(submission, SubmittedPayload.Form, plaintext);
            var jwe = JweEncryptor.Encrypt(plaintext, key);
            return await intake.SubmitAsync(jwe, identity, _ => ValueTask.FromResult(decision), cancellationToken).ConfigureAwait(false) switch
            {
                IntakeResult.Accepted accepted => new FormIntakeResult.Accepted(accepted.ReceiptCode),
                IntakeResult.Unavailable unavailable => new FormIntakeResult.Unavailable(unavailable.RetryAfter),
                IntakeResult.FloodControlled controlled => new FormIntakeResult.Busy(controlled.RetryAfter),
                IntakeResult.Refused refused => throw new InvalidOperationException(
                    $"The service refused its own envelope ({Codes.Of(refused.Fault)})."),
                var other => throw new InvalidOperationException($"Unknown intake result {other.GetType().Name}."),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
