using System.Text.RegularExpressions;

namespace TipIntake.Core.Triage.Index;

/// <summary>
/// Keys of the triage index's ordered sets: strings whose ordinal order is the order staff read tips in. Their parts
/// never change for a tip (priority, received hour, id), except the due key, which moves with each change.
/// </summary>
public static partial class IndexKeys
{
    /// <summary>The triage order: priority ascending, received hour descending (inverted ticks), then tip id. 52 characters.</summary>
    public static string Order(int priority, DateTimeOffset receivedHour, string tipId) => string.Create(
        CultureInfo.InvariantCulture, $"{Math.Clamp(priority, 0, 9)}{DateTimeOffset.MaxValue.UtcTicks - receivedHour.UtcTicks:D19}{tipId}");

    public static string Order(TipSummary tip)
    {
        ArgumentNullException.ThrowIfNull(tip);
        return Order(tip.Priority, tip.ReceivedHour, tip.Id);
    }

    /// <summary>Overdue order: the longest waiting first (last change, or received hour if never changed), then id.</summary>
    public static string Due(TipSummary tip)
    {
        ArgumentNullException.ThrowIfNull(tip);
        return Due(tip.LastChangedAt ?? tip.ReceivedHour, tip.Id);
    }

    public static string Due(DateTimeOffset waitingSince, string tipId) =>
        string.Create(CultureInfo.InvariantCulture, $"{waitingSince.UtcTicks:D19}{tipId}");

    /// <summary>The first due key of anything waiting since after <paramref name="cutoff"/>: overdue tips sort before it.</summary>
    public static string DueBoundary(DateTimeOffset cutoff) =>
        string.Create(CultureInfo.InvariantCulture, $"{cutoff.UtcTicks + 1:D19}");

    public static bool IsOrderKey(string? key) => key is not null && OrderPattern().IsMatch(key);

    public static bool IsDueKey(string? key) => key is not null && DuePattern().IsMatch(key);

    public static int PriorityOf(string orderKey) => orderKey[0] - '0';

    public static DateTimeOffset ReceivedHourOf(string orderKey) =>
        new(DateTimeOffset.MaxValue.UtcTicks - long.Parse(orderKey.AsSpan(1, 19), NumberStyles.None, CultureInfo.InvariantCulture), TimeSpan.Zero);

    public static string TipIdOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key[^32..];
    }

    /// <summary>The smallest order key of a priority band whose received hour is at or before <paramref name="newest"/>.</summary>
    public static string BandStart(int priority, DateTimeOffset newest) => string.Create(
        CultureInfo.InvariantCulture, $"{priority}{DateTimeOffset.MaxValue.UtcTicks - newest.UtcTicks:D19}");

    /// <summary>A key just after every key that starts with <paramref name="prefix"/>.</summary>
    public static string After(string prefix) => prefix + "\uffff";

    [GeneratedRegex("^[0-9][0-9]{19}[0-9a-f]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex OrderPattern();

    [GeneratedRegex("^[0-9]{19}[0-9a-f]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DuePattern();
}

/// <summary>
/// A continuation: the key of the last entry a page looked at, so the next page starts strictly after it (a keyset
/// cursor: an entry that arrives meanwhile is either after it and comes once, or before it and waits for a fresh
/// listing — never twice). Opaque to clients: base64url of a versioned text naming the kind of key.
/// </summary>
public static class IndexCursor
{
    private const string Version = "k2";

    public static string Encode(string kind, string key) =>
        Jwe.JoseBase64.Encode(Encoding.ASCII.GetBytes($"{Version}.{kind}.{key}"));

    /// <summary>The key, when the token is one this service issued for <paramref name="kind"/> and its key is well formed.</summary>
    public static bool TryDecode(string? token, string kind, Func<string, bool> isKey, out string? key)
    {
        ArgumentNullException.ThrowIfNull(isKey);
        key = null;
        if (string.IsNullOrEmpty(token) || token.Length > 200
            || !Jwe.JoseBase64.TryDecode(token, out var bytes) || !Ascii.IsValid(bytes))
        {
            return false;
        }

        var parts = Encoding.ASCII.GetString(bytes).Split('.');
        if (parts.Length != 3 || parts[0] != Version || parts[1] != kind || !isKey(parts[2]))
        {
            return false;
        }

        key = parts[2];
        return true;
    }
}
