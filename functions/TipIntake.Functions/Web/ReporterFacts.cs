using TipIntake.Core.Attachments;
using TipIntake.Core.FollowUp;

namespace TipIntake.Functions.Web;

/// <summary>
/// What the reporter form's scripts need to know of the server, sent once in the form page's <c>#facts</c> block:
/// the schema's fields, bounds and values (from TipIntake.Core), the padding and JWE rules, and the page language's
/// <c>error.*</c> and <c>status.*</c> texts. The scripts keep no copy of any of it.
/// </summary>
public sealed record ReporterFacts(
    IReadOnlyList<string> Fields,
    ReporterFacts.MaxLengths MaxCharacters,
    int PeopleCountMax,
    IReadOnlyList<int> PaddingBuckets,
    int MaxJweLength,
    string ContentType,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Urgencies,
    IReadOnlyList<string> NarrativeLanguages,
    string BidiControls,
    string SubmissionHeader,
    ReporterFacts.Answers FollowUpAnswers,
    ReporterFacts.Files Attachments,
    IReadOnlyDictionary<string, string> Messages)
{
    /// <summary>Translation keys starting with one of these go to the scripts, in <see cref="Messages"/>.</summary>
    public static IReadOnlyList<string> MessageKeyPrefixes { get; } = ["error.", "status.", "followUp.", "attachments."];

    /// <summary>
    /// The languages the form offers for the narrative, in the order it lists them (the server accepts any BCP 47 tag;
    /// these are the ones reporters are expected to write in, then "several" and "unknown").
    /// </summary>
    public static IReadOnlyList<string> NarrativeLanguageChoices { get; } = ["ko", "zh-Hans", "en", "ru", "zh-Hant", "ja", "mn", "vi", "th", "lo", "mul", "und"];

    /// <summary>The facts for a page in the language of <paramref name="texts"/>, with the upload settings <paramref name="attachments"/>.</summary>
    public static ReporterFacts For(Translator texts, AttachmentOptions attachments)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(attachments);
        return new(
            TipForm.FieldNames,
            new MaxLengths(TipLimits.NarrativeMaxCharacters, TipLimits.RegionMaxCharacters, TipLimits.PlaceMaxCharacters, TipLimits.ContactMaxCharacters),
            TipLimits.PeopleCountMax,
            TipPadding.Buckets,
            TipEnvelope.MaxJweLength,
            JweAlgorithms.TipV1ContentType,
            TipCategories.All,
            TipUrgencies.All,
            NarrativeLanguageChoices,
            TipReader.BidiControlCharacters,
            Triggers.SubmitTip.SubmissionHeader,
            new Answers(AnswerReader.MaxTextCharacters, AnswerReader.PaddingBuckets, TipEnvelope.MaxAnswerJweLength, JweAlgorithms.AnswerV1ContentType),
            Files.Of(attachments, new AttachmentLimits()),
            texts.Select(MessageKeyPrefixes));
    }

    /// <summary>What the follow-up page's answer box needs (docs/follow-up.md, "Answering").</summary>
    public sealed record Answers(int MaxCharacters, IReadOnlyList<int> PaddingBuckets, int MaxJweLength, string ContentType);

    /// <summary>
    /// What the form's attachments need (docs/attachments.md, "Encryption", "The form's flow", "Limits"): whether the
    /// upload routes answer, the limits the page states and checks (padded bytes, as the server counts them), the chunk
    /// sizes and the ladder of chunk counts, and the allowed types with the extension each file is named with.
    /// </summary>
    public sealed record Files(
        bool Enabled,
        int MaxFiles,
        long MaxFileBytes,
        long MaxBytes,
        int SmallChunkBytes,
        int LargeChunkBytes,
        int TagBytes,
        IReadOnlyList<int> Ladder,
        IReadOnlyDictionary<string, string> Types)
    {
        public static Files Of(AttachmentOptions options, AttachmentLimits limits)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(limits);
            return new(
                options.UploadsEnabled,
                limits.MaxFilesPerTip,
                Math.Min(options.MaxFileBytes, limits.MaxFileBytes),
                limits.MaxBytesPerTip,
                ChunkLayout.SmallChunkBytes,
                ChunkLayout.LargeChunkBytes,
                ChunkLayout.TagBytes,
                ChunkLayout.Ladder,
                new SortedDictionary<string, string>(AttachmentManifestReader.Types.ToDictionary(), StringComparer.Ordinal));
        }
    }

    /// <summary>The text fields' bounds, in Unicode code points.</summary>
    public sealed record MaxLengths(int Narrative, int Region, int Place, int Contact);
}
