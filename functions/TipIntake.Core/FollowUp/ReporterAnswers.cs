using System.Text.Encodings.Web;
using TipIntake.Core.Triage;

namespace TipIntake.Core.FollowUp;

/// <summary>An answer as its tip's thread keeps it: the text (in the tip's own rows, like the narrative) and the reporter's encrypted copy.</summary>
public sealed record StoredAnswer(
    string TipId, string TriageQueue, string AnswerId, DateTimeOffset ReceivedHour, string Text, string? Language, string ForReporter);

/// <summary>The thread's side of storage for answers.</summary>
public interface IAnswerStore
{
    /// <summary>
    /// Appends <paramref name="answer"/> to its tip's messages and records <c>answer-received</c> — each step
    /// idempotent, so a redelivered message
    /// completes what an interrupted one began and never adds a second copy.
    /// </summary>
    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    Task AppendAsync(StoredAnswer answer, CancellationToken cancellationToken);
}

/// <summary>What became of an answer.</summary>
public abstract record AnswerOutcome
{
    private AnswerOutcome()
    {
    }

    public sealed record Stored(string TipId, string TriageQueue) : AnswerOutcome;

    /// <summary>The plaintext is not a v1 answer.</summary>
    public sealed record Invalid(AnswerFault Fault) : AnswerOutcome;

    /// <summary>No thread has this code and ref: a purged or expired thread, or a forged lookup token.</summary>
    public sealed record Unmatched : AnswerOutcome;
}

/// <summary>
/// The processor's part of answering (docs/follow-up.md, "Answering"): read the decrypted answer, find its thread by
/// the lookup token's keyed hash and the ref, and append it with a copy encrypted to the reporter's key, so that the
/// reporter sees the whole conversation and the lookup never returns plaintext. The lookup token goes no further than
/// its hash; the text is never logged.
/// </summary>
public sealed class ReporterAnswers(FollowUpSecrets secrets, IFollowUpStore threads, IAnswerStore answers, TipFlags flags)
{
    private static readonly JsonSerializerOptions CopyOptions = new()
    {
        // Korean and Chinese stay one character each, so the copy of a 4,000-character answer fits its bucket.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = ThreadMessageJsonContext.Default,
    };

    /// <exception cref="Intake.StorageUnavailableException">Storage could not be reached.</exception>
    public async Task<AnswerOutcome> AcceptAsync(
        string answerId, DateTimeOffset receivedHour, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        var read = AnswerReader.Read(plaintext.Span);
        if (read.Answer is not { } answer)
        {
            return new AnswerOutcome.Invalid(read.Fault ?? AnswerFault.NotJson);
        }

        var hash = secrets.LookupHashOf(answer.Lookup);
        CryptographicOperations.ZeroMemory(answer.Lookup);
        var found = await threads.FindThreadsAsync(hash, FollowUpLookup.MaxThreads, cancellationToken).ConfigureAwait(false);
        if (found.FirstOrDefault(thread => string.Equals(thread.Ref, answer.Thread, StringComparison.Ordinal)) is not { } thread
            || ReporterPublicKeyJwk.Parse(thread.PublicKey) is not { } key)
        {
            return new AnswerOutcome.Unmatched();
        }

        var copy = CopyOf(answer);
        try
        {
            var forReporter = ReporterMessageJwe.Encrypt(copy, key.X, key.Y);
            await answers.AppendAsync(
                new StoredAnswer(thread.TipId, thread.TriageQueue, answerId, receivedHour, answer.Text, answer.Language, forReporter),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }

        // Last, so that a redelivery after a failure here sets them again; an answer settles what was asked.
        await flags.SetAsync(thread.TriageQueue, thread.TipId, summary => summary with { NewAnswers = true, AwaitingReporter = false }, cancellationToken)
            .ConfigureAwait(false);

        return new AnswerOutcome.Stored(thread.TipId, thread.TriageQueue);
    }

    /// <summary>The message document of the reporter's copy, padded with spaces to the smallest bucket it fits (1, 4 or 16 KiB, as answers are).</summary>
    private static byte[] CopyOf(ReporterAnswer answer)
    {
        var bare = JsonSerializer.SerializeToUtf8Bytes(new ThreadMessageDocument(1, answer.Text, answer.Language, answer.Thread, ""), CopyOptions);
        var bucket = AnswerReader.PaddingBuckets.FirstOrDefault(size => size >= bare.Length, bare.Length);
        if (bucket == bare.Length)
        {
            return bare;
        }

        CryptographicOperations.ZeroMemory(bare);
        return JsonSerializer.SerializeToUtf8Bytes(
            new ThreadMessageDocument(1, answer.Text, answer.Language, answer.Thread, new string(' ', bucket - bare.Length)), CopyOptions);
    }
}

/// <summary>A message's plaintext (docs/follow-up.md, "Reading the organisation's messages"), as both sides write it.</summary>
public sealed record ThreadMessageDocument(
    int V,
    string Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Language,
    string Thread,
    string Padding);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ThreadMessageDocument))]
internal sealed partial class ThreadMessageJsonContext : JsonSerializerContext;
