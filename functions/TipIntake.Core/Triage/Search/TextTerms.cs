namespace TipIntake.Core.Triage.Search;

/// <summary>
/// The words a text is found by. Korean, Chinese and Japanese are written without spaces between words (Korean puts
/// particles right after a word: 도문에서, 도문의), so runs of Hangul, Han and Kana are indexed as overlapping
/// character pairs (bigrams): 도문에서 → 도문, 문에, 에서 — a two-character word is one bigram, a longer one the
/// bigrams it is made of. Other letters and digits form words, compared without case or accents. A run of one CJK
/// character is indexed as itself. The same rules cut a query, so a query matches what the index holds.
/// </summary>
public static class TextTerms
{
    /// <summary>Longer words are cut here (a term names a word; nothing longer is needed to find it).</summary>
    public const int MaxWordLength = 40;

    public static IReadOnlySet<string> Of(string? text)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in Tokens(text))
        {
            terms.Add(token);
        }

        return terms;
    }

    /// <summary>The terms of <paramref name="text"/> in the order they occur (repeats included).</summary>
    public static IEnumerable<string> Tokens(string? text) => TokensOf(Runs(text));

    internal static IEnumerable<string> TokensOf(IEnumerable<(RunKind Kind, string Text)> runs)
    {
        foreach (var (kind, run) in runs)
        {
            if (kind == RunKind.Word)
            {
                if (run.EnumerateRunes().Count() >= 2)
                {
                    yield return "w:" + Truncate(run);
                }

                continue;
            }

            var chars = run.EnumerateRunes().Select(r => r.ToString()).ToArray();
            if (chars.Length == 1)
            {
                yield return "u:" + chars[0];
                continue;
            }

            for (var i = 0; i + 1 < chars.Length; i++)
            {
                yield return "b:" + chars[i] + chars[i + 1];
            }
        }
    }

    /// <summary>The words of Latin (and other spaced) script in <paramref name="text"/>, folded: for matching place spellings.</summary>
    public static IReadOnlyList<string> Words(string? text) =>
        [.. Runs(text).Where(run => run.Kind == RunKind.Word).Select(run => Truncate(run.Text))];

    /// <summary>The text's CJK runs joined without what separates them: for matching CJK place spellings across spaces and line breaks.</summary>
    public static string CjkText(string? text) =>
        string.Concat(Runs(text).Where(run => run.Kind == RunKind.Cjk).Select(run => run.Text));

    /// <summary>Normalises one spelling or query fragment the way the index normalises text.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Concat(Runs(text).Select(run => run.Text));
    }

    internal enum RunKind
    {
        Word,
        Cjk,
    }

    internal static IEnumerable<(RunKind Kind, string Text)> Runs(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        var normalized = text.Normalize(NormalizationForm.FormKC).ToLowerInvariant();
        var current = new StringBuilder();
        RunKind? kind = null;
        foreach (var rune in normalized.EnumerateRunes())
        {
            RunKind? next = IsCjk(rune) ? RunKind.Cjk
                : Rune.IsLetterOrDigit(rune) ? RunKind.Word
                : IsMark(rune) && kind == RunKind.Word ? RunKind.Word
                : null;
            if (next != kind && current.Length > 0)
            {
                yield return (kind!.Value, Finish(kind.Value, current));
                current.Clear();
            }

            kind = next;
            if (next is not null)
            {
                current.Append(rune.ToString());
            }
        }

        if (current.Length > 0 && kind is not null)
        {
            yield return (kind.Value, Finish(kind.Value, current));
        }
    }

    private static string Finish(RunKind kind, StringBuilder run) => kind == RunKind.Word ? StripMarks(run.ToString()) : run.ToString();

    /// <summary>Accents off (é → e, ŏ → o), so that McCune–Reischauer and plain spellings meet.</summary>
    private static string StripMarks(string word)
    {
        var decomposed = word.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            if (!IsMark(rune))
            {
                kept.Append(rune.ToString());
            }
        }

        return kept.ToString().Normalize(NormalizationForm.FormC);
    }

    private static bool IsMark(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark
        or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private static bool IsCjk(Rune rune) => rune.Value switch
    {
        >= 0xAC00 and <= 0xD7A3 => true, // Hangul syllables
        >= 0x1100 and <= 0x11FF => true, // Hangul jamo
        >= 0x3130 and <= 0x318F => true, // Hangul compatibility jamo
        >= 0x3040 and <= 0x30FF => true, // Hiragana, Katakana
        >= 0x3400 and <= 0x4DBF => true, // CJK extension A
        >= 0x4E00 and <= 0x9FFF => true, // CJK unified ideographs
        >= 0xF900 and <= 0xFAFF => true, // CJK compatibility ideographs
        >= 0x20000 and <= 0x3134F => true, // CJK extensions B–G
        _ => false,
    };

    private static string Truncate(string word)
    {
        var runes = word.EnumerateRunes().Take(MaxWordLength + 1).ToArray();
        return runes.Length <= MaxWordLength ? word : string.Concat(runes.Take(MaxWordLength).Select(r => r.ToString()));
    }
}
