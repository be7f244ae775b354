using System.Text.RegularExpressions;

namespace TipIntake.Core.Triage;

/// <summary>Limits and checks of what staff send. Error details are the service's own words, never the input.</summary>
public static partial class TriageInput
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;
    public const int MaxLabels = 20;
    public const int MaxLabelLength = 40;
    public const int MaxNoteLength = 4000;
    public const int MaxAssigneeLength = 200;

    /// <summary>The most tips one bulk dismissal names: a page of the list.</summary>
    public const int MaxBulkDismissals = MaxPageSize;

    public static bool IsLabel(string? label) => label is not null && LabelPattern().IsMatch(label);

    /// <summary>Queue names as routing allows them.</summary>
    public static bool IsQueue(string? queue) => queue is not null && QueuePattern().IsMatch(queue);

    /// <summary>1..4000 characters (code points), not only white space, no control characters but line breaks and tabs.</summary>
    public static string? NormalizeNote(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var length = 0;
        foreach (var rune in normalized.EnumerateRunes())
        {
            length++;
            if (Rune.IsControl(rune) && rune.Value is not ('\n' or '\t'))
            {
                return null;
            }
        }

        return length <= MaxNoteLength ? normalized : null;
    }

    /// <summary>A staff object id or display text: trimmed, 1..200 characters, no control characters.</summary>
    public static string? NormalizeAssignee(string assignee)
    {
        ArgumentNullException.ThrowIfNull(assignee);
        var trimmed = assignee.Trim();
        return trimmed.Length is 0 or > MaxAssigneeLength || trimmed.Any(char.IsControl) ? null : trimmed;
    }

    [GeneratedRegex("^[\\p{L}\\p{Nd}-]{1,40}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(Routing.RoutingRule.QueueNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex QueuePattern();
}
