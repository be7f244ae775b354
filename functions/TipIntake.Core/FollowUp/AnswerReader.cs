using TipIntake.Core.Jwe;
using TipIntake.Core.Tips;

namespace TipIntake.Core.FollowUp;

/// <summary>A reporter's answer as it arrives inside its JWE, checked: the lookup token's bytes, the thread it answers, and the text.</summary>
public sealed record ReporterAnswer(byte[] Lookup, string Thread, string Text, string? Language);

/// <summary>An answer read: the answer, or why not.</summary>
public sealed record AnswerRead(ReporterAnswer? Answer, AnswerFault? Fault)
{
    public static AnswerRead Refused(AnswerFault fault) => new(null, fault);
}

/// <summary>Why an answer's plaintext is not a v1 answer; the code goes to the quarantine's detail and logs, never its text.</summary>
public enum AnswerFault
{
    NotJson,
    UnknownMember,
    MissingMember,
    UnsupportedVersion,
    LookupInvalid,
    ThreadInvalid,
    TextInvalid,
    TextTooLong,
    LanguageInvalid,
    PaddingInvalid,
}

/// <summary>
/// Reads an answer's plaintext (docs/follow-up.md, "Answering"): exactly <c>v</c> (1), <c>lookup</c> (L: 43 canonical
/// base64url characters), <c>thread</c> (a 22-character ref), <c>text</c> (1 to 4,000 characters, the narrative's
/// rules), optional <c>language</c> (a tip's rules) and <c>padding</c> (spaces).
/// </summary>
public static class AnswerReader
{
    public const int Version = 1;
    public const int MaxTextCharacters = 4_000;

    /// <summary>An answer's plaintext is padded to 1, 4 or 16 KiB, as a message to the reporter is.</summary>
    public static readonly IReadOnlyList<int> PaddingBuckets = [1024, 4 * 1024, 16 * 1024];

    /// <summary>A larger plaintext cannot be an answer (16 KiB written by a client that escapes every non-ASCII character would not fit an answer's JWE either).</summary>
    public const int MaxPlaintextBytes = 24 * 1024;

    private static readonly string[] Required = ["v", "lookup", "thread", "text"];
    private static readonly string[] Optional = ["language", "padding"];

    public static AnswerRead Read(ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length > MaxPlaintextBytes)
        {
            return AnswerRead.Refused(AnswerFault.NotJson);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(plaintext.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            return AnswerRead.Refused(AnswerFault.NotJson);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    private static AnswerRead Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return AnswerRead.Refused(AnswerFault.NotJson);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name) || (!Required.Contains(property.Name) && !Optional.Contains(property.Name)))
            {
                return AnswerRead.Refused(AnswerFault.UnknownMember);
            }
        }

        if (!Required.All(names.Contains))
        {
            return AnswerRead.Refused(AnswerFault.MissingMember);
        }

        if (root.GetProperty("v") is not { ValueKind: JsonValueKind.Number } v || v.GetRawText() != "1")
        {
            return AnswerRead.Refused(AnswerFault.UnsupportedVersion);
        }

        if (JoseBase64.DecodeCanonical(String(root, "lookup"), FollowUpKeys.KeyBytes) is not { } lookup)
        {
            return AnswerRead.Refused(AnswerFault.LookupInvalid);
        }

        if (String(root, "thread") is not { Length: FollowUpSecrets.RefLength } thread || !JoseBase64.TryDecode(thread, out _))
        {
            return AnswerRead.Refused(AnswerFault.ThreadInvalid);
        }

        if (String(root, "text") is not { } text || string.IsNullOrWhiteSpace(text) || !TipReader.IsWellFormedText(text, multiline: true))
        {
            return AnswerRead.Refused(AnswerFault.TextInvalid);
        }

        if (TipReader.CountCodePoints(text) > MaxTextCharacters)
        {
            return AnswerRead.Refused(AnswerFault.TextTooLong);
        }

        string? language = null;
        if (names.Contains("language"))
        {
            if (String(root, "language") is not { } tag || !TipReader.IsLanguageTag(tag))
            {
                return AnswerRead.Refused(AnswerFault.LanguageInvalid);
            }

            language = tag;
        }

        if (names.Contains("padding") && (String(root, "padding") is not { } padding || padding.AsSpan().ContainsAnyExcept(' ')))
        {
            return AnswerRead.Refused(AnswerFault.PaddingInvalid);
        }

        return new AnswerRead(new ReporterAnswer(lookup, thread, text, language), null);
    }

    private static string? String(JsonElement root, string name) =>
        root.GetProperty(name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
