using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace TipIntake.Core.Triage;

/// <summary>
/// The triage order: most pressing first (priority ascending), then newest (received hour descending), then tip id.
/// The order is total and its keys never change for a tip, so a cursor on it pages every tip exactly once.
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

/// <summary>
/// A keyset cursor: the order keys of the last tip of a page. The next page is every tip strictly after it, so tips
/// that arrive meanwhile are either after it (and come once) or before it (and wait for a fresh listing) — never twice.
/// Opaque to clients: base64url of a versioned, dot-separated text.
/// </summary>
public sealed record TriageCursor(int Priority, DateTimeOffset ReceivedHour, string Id)
{
    private const string Version = "k1";

    public static TriageCursor After(TipSummary tip)
    {
        ArgumentNullException.ThrowIfNull(tip);
        return new(tip.Priority, tip.ReceivedHour, tip.Id);
    }

    public bool Precedes(TipSummary tip)
    {
        ArgumentNullException.ThrowIfNull(tip);
        return TriageOrder.Compare(Priority, ReceivedHour, Id, tip.Priority, tip.ReceivedHour, tip.Id) < 0;
    }

    public string Encode() => Jwe.JoseBase64.Encode(Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{Version}.{Priority}.{ReceivedHour.UtcTicks}.{Id}")));

    public static bool TryDecode(string? token, out TriageCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return false;
        }

        if (!Jwe.JoseBase64.TryDecode(token, out var bytes) || !System.Text.Ascii.IsValid(bytes))
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split('.');
        if (parts.Length != 4 || parts[0] != Version
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var priority)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks
            || !TriageIds.IsTipId(parts[3]))
        {
            return false;
        }

        cursor = new TriageCursor(priority, new DateTimeOffset(ticks, TimeSpan.Zero), parts[3]);
        return true;
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
