using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Core.Routing;
using TipIntake.Core.Tips;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>
/// The schema counts a narrative in code points; Table Storage limits a string column to 64 KiB of UTF-16. A
/// narrative of 20,000 characters outside the Basic Multilingual Plane (CJK Extension B, emoji) needs 40,000 code units.
/// </summary>
public sealed class LongNarrativeTests : IAsyncLifetime
{
    private TriageHost _host = null!;

    public async Task InitializeAsync() => _host = await TriageHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData("𠀋")] // CJK Extension B: two UTF-16 code units each
    [InlineData("가")]
    [InlineData("a𠀋")] // odd and even cuts: a surrogate pair straddles one of them
    public async Task Longest_narrative_is_stored_within_the_column_limit_and_read_back_whole_by_triage(string unit)
    {
        var marker = TestTips.NewMarker();
        var repeat = (TipLimits.NarrativeMaxCharacters - marker.Length - 1) / unit.EnumerateRunes().Count();
        var narrative = marker + " " + string.Concat(Enumerable.Repeat(unit, repeat));
        Assert.True(narrative.EnumerateRunes().Count() > TipLimits.NarrativeMaxCharacters - 2);
        var id = TipIntakeService.NewTipId();
        var tip = new Tip(TipCategories.Detention, narrative, TipUrgencies.Soon, null, null, null, null, null, null);
        var store = _host.Host.App.GetRequiredService<ITipStore>();

        Assert.True(await store.TryAddAsync(new StoredTip(id, new RouteDecision("detention", 3), tip, TipEnvelope.TruncateToHour(DateTimeOffset.UtcNow), "hash", "kid"), default));

        var row = (await _host.Host.Tips.GetEntityAsync<TableEntity>("detention", id)).Value;
        foreach (var (name, value) in row.Where(p => p.Key.StartsWith("Narrative", StringComparison.Ordinal)))
        {
            Assert.True(Encoding.Unicode.GetByteCount((string)value) <= 64 * 1024, $"{name} exceeds 64 KiB");
        }

        var (read, _) = await _host.ReadTipAsync(id);
        Assert.Equal(narrative, read.GetProperty("narrative").GetString());
    }
}
