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
    IReadOnlyDictionary<string, string> Messages)
{
    /// <summary>Translation keys starting with one of these go to the scripts, in <see cref="Messages"/>.</summary>
    public static IReadOnlyList<string> MessageKeyPrefixes { get; } = ["error.", "status.", "followUp."];

    /// <summary>
    /// The languages the form offers for the narrative, in the order it lists them (the server accepts any BCP 47 tag;
    /// these are the ones reporters are expected to write in, then "several" and "unknown").
    /// </summary>
    public static IReadOnlyList<string> NarrativeLanguageChoices { get; } = ["ko", "zh-Hans", "en", "ru", "zh-Hant", "ja", "mn", "vi", "th", "lo", "mul", "und"];

    /// <summary>The facts for a page in the language of <paramref name="texts"/>.</summary>
    public static ReporterFacts For(Translator texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
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
            texts.Select(MessageKeyPrefixes));
    }

    /// <summary>What the follow-up page's answer box needs (docs/follow-up.md, "Answering").</summary>
    public sealed record Answers(int MaxCharacters, IReadOnlyList<int> PaddingBuckets, int MaxJweLength, string ContentType);

    /// <summary>The text fields' bounds, in Unicode code points.</summary>
    public sealed record MaxLengths(int Narrative, int Region, int Place, int Contact);
}
