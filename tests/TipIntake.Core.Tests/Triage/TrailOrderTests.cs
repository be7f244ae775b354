using TipIntake.Core.Attachments;
using TipIntake.Core.Triage;
using static TipIntake.Core.Processing.QuarantineReason;

namespace TipIntake.Core.Tests.Triage;

/// <summary>
/// <see cref="TrailOrder"/>: a tip's trail is its row keys' order, and a quarantined file's event, whose id carries no
/// time, goes where its hour puts it — where the time-ordered id it had before placed it.
/// </summary>
public sealed class TrailOrderTests
{
    private static readonly DateTimeOffset Hour = new(2026, 12, 19, 22, 0, 0, TimeSpan.Zero);
    private static readonly string TipId = Core.Intake.TipIntakeService.NewTipId();

    [Fact]
    public void A_quarantined_files_event_sorts_at_its_hour_among_time_ordered_events()
    {
        var before = Viewed(Hour.AddMinutes(-1));
        var after = Viewed(Hour.AddMinutes(10));
        var quarantined = AttachmentBinder.QuarantinedEvent(TipId, 1, AttachmentMismatch, Hour.AddMinutes(59));

        Assert.Equal([before, quarantined, after], TrailOrder.Sort([after, quarantined, before]));
        Assert.Equal([before, quarantined, after], TrailOrder.Sort([quarantined, after, before]));
    }

    [Fact]
    public void An_event_written_before_with_its_hour_in_its_id_keeps_its_place_and_the_same_key_as_it_would_have_now()
    {
        var now = AttachmentBinder.QuarantinedEvent(TipId, 1, AttachmentMissing, Hour);
        var then = now with { Id = $"{Hour.UtcTicks:D19}-{now.Id}" };

        Assert.Equal(TrailOrder.Key(then), TrailOrder.Key(now));
        Assert.Equal(then.Id, TrailOrder.Key(then));
    }

    [Fact]
    public void Time_ordered_ids_keep_their_order_even_when_the_id_is_later_than_the_events_time()
    {
        // An answer known only to the hour is placed after the thread's last message: its id's ticks pass its time.
        var sent = Viewed(Hour.AddMinutes(20)) with { Action = "message-sent" };
        var answered = new TipEvent(TipId, $"{Hour.AddMinutes(20).UtcTicks + 1:D19}-a-0123456789abcdef", Hour, "reporter", "answer-received", null, null);

        Assert.Equal([sent, answered], TrailOrder.Sort([answered, sent]));
    }

    private static TipEvent Viewed(DateTimeOffset at) => new(TipId, TriageIds.NewTimeOrdered(at), at, "staff-1", "viewed", null, null);
}
