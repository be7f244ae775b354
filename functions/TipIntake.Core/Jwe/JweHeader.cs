namespace TipIntake.Core.Jwe;

/// <summary>The protected header members this service accepts (docs/architecture.md, "Intake").</summary>
public sealed record JweHeader(string Algorithm, string Encryption, string KeyId, string ContentType)
{
    /// <summary>What the JWE carries, by its <c>cty</c>: authenticated, and readable before anything is decrypted.</summary>
    public JweContent Content => JweAlgorithms.ContentOf(ContentType) ?? JweContent.Unknown;
}

/// <summary>The documents the intake key receives: tips, and reporters' answers to the organisation (docs/follow-up.md).</summary>
public enum JweContent
{
    Unknown,
    Tip,
    Answer,

    /// <summary>The staff's copy of a message to a reporter: stored by triage and opened there; never accepted by intake.</summary>
    Message,
}

public static class JweAlgorithms
{
    public const string KeyWrap = "RSA-OAEP-256";
    public const string ContentEncryption = "A256GCM";

    /// <summary>RFC 7515 §4.1.10 lets producers omit the "application/" prefix of <c>cty</c>; both forms mean the same.</summary>
    public const string TipV1ContentType = "application/vnd.tipintake.tip.v1+json";

    /// <summary>A reporter's answer on the follow-up route (docs/follow-up.md, "Answering").</summary>
    public const string AnswerV1ContentType = "application/vnd.tipintake.answer.v1+json";

    public static bool IsTipV1ContentType(string cty) => Is(cty, TipV1ContentType);

    /// <summary>What a <c>cty</c> names, or null for anything this service does not accept.</summary>
    /// <summary>A message of a follow-up thread (docs/follow-up.md): to the reporter's key, or the staff's copy to the intake key.</summary>
    public const string MessageV1ContentType = "application/vnd.tipintake.message.v1+json";

    public static JweContent? ContentOf(string cty) =>
        Is(cty, TipV1ContentType) ? JweContent.Tip
        : Is(cty, AnswerV1ContentType) ? JweContent.Answer
        : Is(cty, MessageV1ContentType) ? JweContent.Message
        : null;

    private static bool Is(string cty, string contentType) =>
        string.Equals(cty, contentType, StringComparison.OrdinalIgnoreCase)
        || string.Equals("application/" + cty, contentType, StringComparison.OrdinalIgnoreCase);
}
