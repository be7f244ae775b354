using TipIntake.Core.FollowUp;

namespace TipIntake.Functions.Http;

/// <summary>A thread as triage reads it: the reporter's key to encrypt to (null: no follow-up), the flags, the messages.</summary>
public sealed record ThreadBody(
    string FollowUp, ThreadKeyBody? ReporterKey, string? Ref, bool AwaitingReporter, bool NewAnswers, IReadOnlyList<ThreadMessageBody> Messages)
{
    public static ThreadBody Of(StaffThread thread)
    {
        ArgumentNullException.ThrowIfNull(thread);
        return new(
            thread.FollowUp,
            thread.ReporterKey is { } key ? new ThreadKeyBody("EC", "P-256", key.X, key.Y, key.Thumbprint) : null,
            thread.Ref,
            thread.AwaitingReporter,
            thread.NewAnswers,
            [.. thread.Messages.Select(m => new ThreadMessageBody(m.Id, m.From, m.Day, m.Text, m.AuthorName))]);
    }
}

/// <summary>The reporter's public JWK and its RFC 7638 thumbprint, the <c>kid</c> a message to it must carry.</summary>
public sealed record ThreadKeyBody(string Kty, string Crv, string X, string Y, string Kid);

public sealed record ThreadMessageBody(string Id, string From, string Day, string? Text, string? Author);

/// <summary>POST …/messages: both copies made in the staff member's browser, and whether a reply is awaited.</summary>
public sealed record MessageRequest(string? ToReporter, string? ForStaff, bool AwaitReply);

public sealed record MessageSentBody(string Id);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(ThreadBody))]
[JsonSerializable(typeof(MessageRequest))]
[JsonSerializable(typeof(MessageSentBody))]
internal sealed partial class FollowUpJsonContext : JsonSerializerContext;
