using TipIntake.Core.Intake;
using TipIntake.Core.Jwe;

namespace TipIntake.Core.FollowUp;

/// <summary>One message of a thread as the no-script page shows it; <see cref="Text"/> is null when it could not be opened.</summary>
public sealed record FormThreadMessage(string From, string Day, string? Text);

/// <summary>A thread opened on the server: its coarse status, its messages, and the answer form's session (null: closed).</summary>
public sealed record FormThread(string Status, IReadOnlyList<FormThreadMessage> Messages, string? Session);

/// <summary>What became of a code typed into the no-script page.</summary>
public abstract record FormLookupResult
{
    private FormLookupResult()
    {
    }

    /// <summary>The code opened these threads (the first one takes answers, as on the script path).</summary>
    public sealed record Opened(IReadOnlyList<FormThread> Threads) : FormLookupResult;

    /// <summary>Well-formed, but no sealed key opened with it: a wrong code, or a thread long closed. Never said which.</summary>
    public sealed record NotRecognised : FormLookupResult;

    /// <summary>Nothing typed, a wrong length or a typo: named without any lookup or KDF.</summary>
    public sealed record Mistyped(FollowUpCodeStatus? Status) : FormLookupResult;

    public sealed record RateLimited(TimeSpan RetryAfter) : FormLookupResult;

    public sealed record Unavailable(TimeSpan RetryAfter) : FormLookupResult;
}

/// <summary>
/// The no-script page's lookup (docs/follow-up.md, "The no-script path"): what the reporter's browser does on the
/// script path, done here in memory — parse the code (a typo costs nothing), take a token of the shared no-script
/// bucket, derive <c>M</c>, <c>L</c> and <c>W</c>, do the same lookup, open the sealed keys and the messages, and seal
/// the answer form's session. The lookup, opening and decrypting are held to <c>FollowUp:LookupFloor</c> measured from
/// the end of the KDF, which a right and a wrong code pay alike, so that a wrong code answers no sooner than a right
/// one. <c>V</c>, <c>M</c>, <c>L</c>, <c>W</c>, the private keys and the plaintext buffers are zeroed before it returns;
/// the texts it returns are the page's to show. Nothing is logged but outcome counts.
/// </summary>
public sealed class FormFollowUp(FollowUpLookup lookup, LookupGate floor, FormFollowUpGate gate, FollowUpSessions sessions, TimeProvider time)
{
    public async Task<FormLookupResult> OpenAsync(string? typed, CancellationToken cancellationToken)
    {
        var value = new byte[FollowUpCode.ValueBytes];
        var master = new byte[FollowUpKeys.KeyBytes];
        var lookupToken = new byte[FollowUpKeys.KeyBytes];
        var sealingKey = new byte[FollowUpKeys.KeyBytes];
        try
        {
            var status = string.IsNullOrWhiteSpace(typed) ? (FollowUpCodeStatus?)null : FollowUpCode.Parse(typed, value);
            if (status != FollowUpCodeStatus.Valid)
            {
                gate.Count("mistyped");
                return new FormLookupResult.Mistyped(status);
            }

            if (!await gate.TryTakeAsync(cancellationToken).ConfigureAwait(false))
            {
                gate.Count("rate-limited");
                return new FormLookupResult.RateLimited(gate.RetryAfter);
            }

            FollowUpKeys.DeriveMaster(value, master);
            CryptographicOperations.ZeroMemory(value);
            FollowUpKeys.DeriveLookup(master, lookupToken);
            FollowUpKeys.DeriveSealingKey(master, sealingKey);
            CryptographicOperations.ZeroMemory(master);

            var lookedUpAt = time.GetTimestamp();
            var opened = Open(await lookup.ThreadsAsync(lookupToken, cancellationToken).ConfigureAwait(false), lookupToken, sealingKey);
            await floor.HoldUntilFloorAsync(lookedUpAt, cancellationToken).ConfigureAwait(false);
            gate.Count(LookupGate.Answered);
            return opened.Count > 0 ? new FormLookupResult.Opened(opened) : new FormLookupResult.NotRecognised();
        }
        catch (StorageUnavailableException)
        {
            gate.Count("unavailable");
            return new FormLookupResult.Unavailable(LookupGate.UnavailableRetryAfter);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
            CryptographicOperations.ZeroMemory(master);
            CryptographicOperations.ZeroMemory(lookupToken);
            CryptographicOperations.ZeroMemory(sealingKey);
        }
    }

    /// <summary>The threads whose sealed key opens under <paramref name="sealingKey"/>; a decoy never does.</summary>
    private List<FormThread> Open(IReadOnlyList<LookupThread> threads, byte[] lookupToken, byte[] sealingKey)
    {
        var opened = new List<FormThread>();
        foreach (var thread in threads)
        {
            if (!JoseBase64.TryDecode(thread.SealedKey, out var sealedKey))
            {
                continue;
            }

            using var privateKey = SealedReporterKey.Open(sealedKey, sealingKey);
            if (privateKey is null)
            {
                continue;
            }

            // Answers go to the first thread of the code, as on the script path (a code has one unless a report was sent twice).
            var session = opened.Count == 0 && thread.Answerable ? sessions.Seal(lookupToken, thread.Ref) : null;
            opened.Add(new FormThread(thread.Status, [.. thread.Messages.Select(message => Read(message, thread.Ref, privateKey))], session));
        }

        return opened;
    }

    private static FormThreadMessage Read(ThreadMessage message, string threadRef, ECDiffieHellman privateKey)
    {
        var plaintext = ReporterMessageJwe.Decrypt(message.Jwe, privateKey);
        try
        {
            return new FormThreadMessage(message.From, message.Day, plaintext is null ? null : TextOf(plaintext, threadRef));
        }
        finally
        {
            if (plaintext is not null)
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
    }

    /// <summary>The text, when the message names this thread (a message cannot be moved to another thread of the code).</summary>
    private static string? TextOf(byte[] plaintext, string threadRef)
    {
        try
        {
            using var document = JsonDocument.Parse(plaintext);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("thread", out var thread) && thread.ValueKind == JsonValueKind.String && thread.GetString() == threadRef
                && root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                ? text.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
