namespace TipIntake.Core.Triage;

/// <summary>
/// A tip's trail, oldest first. <c>TipEvents</c> keeps it by row key, and almost every event's id begins with its time
/// (UTC ticks, 19 digits). A quarantined file's event has an id without a time
/// (<see cref="Attachments.AttachmentBinder.QuarantinedEvent"/>: one per file and reason, whichever path wrote it
/// first); it sorts as if its id began with its own time's ticks — where its time-ordered id of before placed it, so
/// the order of trails written before and after is the same (docs/attachments.md, "Processing: binding, quarantine").
/// </summary>
public static class TrailOrder
{
    private const int TicksDigits = 19;

    /// <summary>The event's place in its trail, compared ordinally.</summary>
    public static string Key(TipEvent tipEvent)
    {
        ArgumentNullException.ThrowIfNull(tipEvent);
        return IsTimeOrdered(tipEvent.Id)
            ? tipEvent.Id
            : string.Create(CultureInfo.InvariantCulture, $"{tipEvent.At.UtcTicks:D19}-{tipEvent.Id}");
    }

    /// <summary>The events in trail order (a stable sort: events with one key keep the order they came in).</summary>
    public static IReadOnlyList<TipEvent> Sort(IEnumerable<TipEvent> events) => [.. events.OrderBy(Key, StringComparer.Ordinal)];

    private static bool IsTimeOrdered(string id) => id.Length > TicksDigits && id.AsSpan(0, TicksDigits).IndexOfAnyExceptInRange('0', '9') < 0;
}
