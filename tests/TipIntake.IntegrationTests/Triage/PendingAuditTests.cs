using System.Net;
using TipIntake.Core;
using TipIntake.Core.Triage;
using TipIntake.Infrastructure.Storage;
using TipIntake.Testing;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>
/// A change whose audit event cannot be appended after its update (storage failing between the two tables) is
/// answered 503, and its event still reaches the trail, once: it waits in the tip's row on the real Azurite. The
/// failure is made on the wire, between the worker and Azurite.
/// </summary>
public sealed class PendingAuditTests : IAsyncLifetime
{
    private StorageFault _appendFails = null!;
    private TriageHost _host = null!;

    public async Task InitializeAsync()
    {
        // The worker's storage goes through a proxy that, while armed, fails every write to TipEvents (retries included).
        var proxy = await StorageFaultProxy.StartAsync(await SharedAzurite.NewAccountAsync());
        _appendFails = proxy.Add(new StorageFault { Matches = StorageFault.WritesTo(StorageNames.EventsTable), Enabled = false });
        _host = await TriageHost.StartAsync(connectionString: proxy.ConnectionString, owned: proxy);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Change_answered_503_between_update_and_event_is_still_audited_once()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var (_, etag) = await _host.ReadTipAsync(id);

        _appendFails.Enabled = true;
        using (var failed = await _host.ChangeAsync(id, "status", new { status = "in-review" }, etag))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        _appendFails.Enabled = false;
        Assert.True(_appendFails.Applied > 0);
        var (tip, current) = await _host.ReadTipAsync(id);
        Assert.Equal("in-review", tip.GetProperty("status").GetString());
        using (var next = await _host.ChangeAsync(id, "notes", new { text = "Spoke to the family." }, current))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        var actions = (await _host.EventsAsync(id)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(1, actions.Count(a => a == Codes.Of(TipEventAction.StatusChanged)));
        Assert.Equal(1, actions.Count(a => a == Codes.Of(TipEventAction.NoteAdded)));
        Assert.True(actions.IndexOf(Codes.Of(TipEventAction.StatusChanged)) < actions.IndexOf(Codes.Of(TipEventAction.NoteAdded)), string.Join(",", actions));
    }
}
