namespace TipIntake.Core;

/// <summary>How a JSON object's members differ from the ones a reader expects.</summary>
public enum MemberMismatch
{
    /// <summary>A member the reader does not know.</summary>
    Unknown,

    /// <summary>A member the reader needs is absent.</summary>
    Missing,
}

/// <summary>The strict readers' member check: exactly the named members, each once, in any order.</summary>
public static class JsonMembers
{
    /// <summary>
    /// Null when <paramref name="element"/> (an object) has exactly <paramref name="names"/>; otherwise the first
    /// difference found. A member named twice is the tip parser's to refuse: it never reaches a reader.
    /// </summary>
    public static MemberMismatch? Check(JsonElement element, params ReadOnlySpan<string> names)
    {
        var seen = 0;
        foreach (var property in element.EnumerateObject())
        {
            if (names.IndexOf(property.Name) < 0)
            {
                return MemberMismatch.Unknown;
            }

            seen++;
        }

        return seen == names.Length ? null : MemberMismatch.Missing;
    }
}
