using Microsoft.Extensions.Time.Testing;
using TipIntake.Core.Logging;

namespace TipIntake.Core.Tests.Logging;

public sealed class RefusalTallyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly List<(long Total, string ByCode)> _reports = [];

    private RefusalTally NewTally() => new(_time, TimeSpan.FromMinutes(1), (total, byCode) => _reports.Add((total, byCode)));

    [Fact]
    public void A_flood_of_refusals_is_one_report_per_interval_with_counts_by_code_largest_first()
    {
        using var tally = NewTally();
        for (var i = 0; i < 100_000; i++)
        {
            tally.Add(i % 1000 == 0 ? "not-ascii" : "stamp-invalid");
        }

        Assert.Empty(_reports);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([(100_000L, "stamp-invalid 99900, not-ascii 100")], _reports);
    }

    [Fact]
    public void A_quiet_interval_reports_nothing_and_counts_start_again_after_a_report()
    {
        using var tally = NewTally();
        tally.Add("a");
        _time.Advance(TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        tally.Add("b");
        tally.Add("b");
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([(1L, "a 1"), (2L, "b 2")], _reports);
    }

    [Fact]
    public void Disposing_reports_what_is_left()
    {
        var tally = NewTally();
        tally.Add("x");

        tally.Dispose();

        Assert.Equal([(1L, "x 1")], _reports);
    }
}
