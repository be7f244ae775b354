namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// A narrative across as many string columns as it needs. Table Storage holds at most 64 KiB (32,768 UTF-16 code
/// units) in one string property, while the schema allows 20,000 code points: up to 40,000 code units when they lie
/// outside the Basic Multilingual Plane (emoji, CJK Extension B). The first part is <c>Narrative</c>, so a short
/// narrative is stored exactly as before; the rest follow in <c>Narrative2</c>, <c>Narrative3</c>…
/// </summary>
internal static class NarrativeColumns
{
    public const string First = "Narrative";

    /// <summary>Under the 32,768 limit, with room to back off a surrogate pair that straddles the cut.</summary>
    internal const int MaxCodeUnitsPerColumn = 32_000;

    public static void Write(TableEntity entity, string narrative)
    {
        var column = 1;
        var start = 0;
        do
        {
            var length = Math.Min(MaxCodeUnitsPerColumn, narrative.Length - start);
            if (start + length < narrative.Length && char.IsHighSurrogate(narrative[start + length - 1]))
            {
                length--;
            }

            entity[NameOf(column++)] = narrative.Substring(start, length);
            start += length;
        }
        while (start < narrative.Length);
    }

    public static string Read(TableEntity entity)
    {
        var first = entity.GetString(First) ?? "";
        if (!entity.ContainsKey(NameOf(2)))
        {
            return first;
        }

        var whole = new System.Text.StringBuilder(first);
        for (var column = 2; entity.GetString(NameOf(column)) is { } part; column++)
        {
            whole.Append(part);
        }

        return whole.ToString();
    }

    private static string NameOf(int column) => column == 1 ? First : First + column.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
