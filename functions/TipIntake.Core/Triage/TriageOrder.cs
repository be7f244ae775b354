using System.Text.RegularExpressions;

namespace TipIntake.Core.Triage;

/// <summary>
/// The triage order: most pressing first (priority ascending), then newest (received hour descending), then tip id.
/// The order is total and its keys never change for a tip, so a cursor on it pages every tip exactly once. The index
/// keeps its sets in this order as strings (<see cref="Index.IndexKeys.Order(TipSummary)"/>).
/// </summary>
public sealed class TriageOrder : IComparer<TipSummary>
{
    public static TriageOrder Instance { get; } = new();

    public int Compare(TipSummary? x, TipSummary? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        return Compare(x.Priority, x.ReceivedHour, x.Id, y.Priority, y.ReceivedHour, y.Id);
    }

    internal static int Compare(int priorityX, DateTimeOffset hourX, string idX, int priorityY, DateTimeOffset hourY, string idY)
    {
        var byPriority = priorityX.CompareTo(priorityY);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byHour = hourY.UtcTicks.CompareTo(hourX.UtcTicks);
        return byHour != 0 ? byHour : string.CompareOrdinal(idX, idY);
    }
}

/// <summary>Ids of tips, notes and events.</summary>
public static partial class TriageIds
{
    /// <summary>Tip ids as the intake makes them: 128 bits (random, or derived by <see cref="Intake.ReceiptIssuer"/>) in lowercase hex.</summary>
    public static bool IsTipId(string? value) => value is not null && TipIdPattern().IsMatch(value);

    /// <summary>A row key that sorts by time (UTC ticks, fixed width), made unique by 64 random bits.</summary>
    public static string NewTimeOrdered(DateTimeOffset at) => string.Create(
        CultureInfo.InvariantCulture, $"{at.UtcTicks:D19}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");

    [GeneratedRegex("^[0-9a-f]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TipIdPattern();
}
