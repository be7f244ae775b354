using TipIntake.Core.FloodControl;
using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;
using TipIntake.Core.Keys;
using TipIntake.Core.Tips;

namespace TipIntake.Core.FollowUp;

/// <summary>What became of an answer sent from the no-script page.</summary>
public abstract record FormAnswerResult
{
    private FormAnswerResult()
    {
    }

    public sealed record Sent : FormAnswerResult;

    /// <summary>The session is missing, altered, forged or expired: the code must be typed again.</summary>
    public sealed record SessionExpired : FormAnswerResult;

    /// <summary>The text is empty, too long or holds characters an answer may not (<see cref="AnswerFault"/>).</summary>
    public sealed record Invalid(AnswerFault Fault) : FormAnswerResult;

    public sealed record RateLimited(TimeSpan RetryAfter) : FormAnswerResult;

    public sealed record Unavailable(TimeSpan RetryAfter) : FormAnswerResult;
}

/// <summary>
/// An answer from the no-script page (docs/follow-up.md, "The no-script path"): the session gives <c>L</c> and the
/// thread's ref, the text is checked with <see cref="AnswerReader"/>'s rules, and the plaintext is the one the script
/// path's page builds — <c>{"v":1,"lookup","thread","text","language","padding"}</c>, padded to 1, 4 or 16 KiB — encrypted
/// here to the current intake key with the answer's <c>cty</c> and queued by the answers' own intake
/// (<see cref="TipIntakeService.SubmitAnswerAsync(string, SubmissionIdentity, Func{CancellationToken, ValueTask{FloodDecision}}, CancellationToken)"/>).
/// The answer's id comes from the page's submission id and the plaintext (kind 4), so the same page posted twice is one
/// answer. Each answer takes a token of the no-script bucket: a session must not open the queue to a flood.
/// </summary>
public sealed class FormAnswers(
    FollowUpSessions sessions, FormFollowUpGate gate, TipIntakeService intake, IIntakeKey intakeKey, ReceiptIssuer receipts)
{
    /// <summary><c>,"padding":""</c>: what adding the member costs before its spaces.</summary>
    private const string PaddingMember = ",\"padding\":\"\"";

    public async Task<FormAnswerResult> SendAsync(string? session, string? text, string language, SubmissionId submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(language);
        if (sessions.Open(session) is not { } opened)
        {
            gate.Count("session-expired");
            return new FormAnswerResult.SessionExpired();
        }

        byte[]? plaintext = null;
        try
        {
            // A browser posts a textarea's line breaks as CR LF; the script path's page sends LF.
            text = text?.ReplaceLineEndings("\n");
            if (FaultOf(text) is { } fault)
            {
                gate.Count("answer-invalid");
                return new FormAnswerResult.Invalid(fault);
            }

            plaintext = Plaintext(opened, text!, language);
            if (plaintext is null)
            {
                gate.Count("answer-invalid");
                return new FormAnswerResult.Invalid(AnswerFault.TextTooLong);
            }

            if (!await gate.TryTakeAsync(cancellationToken).ConfigureAwait(false))
            {
                gate.Count("rate-limited");
                return new FormAnswerResult.RateLimited(gate.RetryAfter);
            }

            var key = await intakeKey.GetPublicKeyAsync(cancellationToken).ConfigureAwait(false);
            var identity = receipts.IdentityFor(submission, SubmittedPayload.AnswerForm, plaintext);
            var jwe = JweEncryptor.Encrypt(plaintext, key, JweAlgorithms.AnswerV1ContentType);
            FormAnswerResult result = await intake.SubmitAnswerAsync(jwe, identity, admit: null, cancellationToken).ConfigureAwait(false) switch
            {
                IntakeResult.Accepted => new FormAnswerResult.Sent(),
                IntakeResult.Unavailable unavailable => new FormAnswerResult.Unavailable(unavailable.RetryAfter),
                IntakeResult.Refused refused => throw new InvalidOperationException($"The service refused its own answer ({Codes.Of(refused.Fault)})."),
                var other => throw new InvalidOperationException($"Unknown intake result {other.GetType().Name}."),
            };
            gate.Count(result is FormAnswerResult.Sent ? "answer-sent" : "unavailable");
            return result;
        }
        catch (Exception ex) when (ex is StorageUnavailableException or IntakeKeyException)
        {
            gate.Count("unavailable");
            return new FormAnswerResult.Unavailable(intake.RetryAfter);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(opened.Lookup);
            if (plaintext is not null)
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
    }

    /// <summary>The text rules of <see cref="AnswerReader"/>, checked before anything is built.</summary>
    private static AnswerFault? FaultOf(string? text) =>
        string.IsNullOrWhiteSpace(text) || !TipReader.IsWellFormedText(text, multiline: true) ? AnswerFault.TextInvalid
        : TipReader.CountCodePoints(text) > AnswerReader.MaxTextCharacters ? AnswerFault.TextTooLong
        : null;

    /// <summary>
    /// The answer's plaintext byte for byte as follow-up.js builds it with <c>JSON.stringify</c> and <c>padTip</c>: the
    /// members in its order, then <c>padding</c> filling it to the smallest bucket that holds the document with an empty
    /// padding; null when even the bare document is beyond the largest bucket. Written here rather than by a .NET JSON
    /// encoder, which escapes every character outside the BMP as two <c>\u</c> escapes (an answer of emoji would not
    /// fit the bucket it fits on the script path).
    /// </summary>
    internal static byte[]? Plaintext(FollowUpSession session, string text, string language)
    {
        var members = new StringBuilder("{\"v\":1,\"lookup\":");
        AppendJsonString(members, JoseBase64.Encode(session.Lookup)).Append(",\"thread\":");
        AppendJsonString(members, session.Ref).Append(",\"text\":");
        AppendJsonString(members, text).Append(",\"language\":");
        AppendJsonString(members, language);
        var bare = Encoding.UTF8.GetBytes(members.ToString() + "}");
        var buckets = AnswerReader.PaddingBuckets;
        try
        {
            if (bare.Length > buckets[^1])
            {
                return null;
            }

            var overhead = bare.Length + PaddingMember.Length;
            var bucket = buckets.FirstOrDefault(size => size >= overhead);
            return bucket == 0
                ? [.. bare]
                : Encoding.UTF8.GetBytes(members.Append(",\"padding\":\"").Append(' ', bucket - overhead).Append("\"}").ToString());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bare);
            members.Clear();
        }
    }

    /// <summary>A JSON string as <c>JSON.stringify</c> writes one that is well-formed UTF-16: only quote, backslash and C0 controls escaped.</summary>
    private static StringBuilder AppendJsonString(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => json.Append("\\\""),
                '\\' => json.Append("\\\\"),
                '\b' => json.Append("\\b"),
                '\f' => json.Append("\\f"),
                '\n' => json.Append("\\n"),
                '\r' => json.Append("\\r"),
                '\t' => json.Append("\\t"),
                < ' ' => json.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => json.Append(c),
            };
        }

        return json.Append('"');
    }
}
