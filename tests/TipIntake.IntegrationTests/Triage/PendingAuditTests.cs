using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TipIntake.Core.Intake;
using TipIntake.Core.Triage;
using TipIntake.Infrastructure.Triage;

namespace TipIntake.IntegrationTests.Triage;

/// <summary>
/// A change whose audit event cannot be appended after its update (storage failing between the two tables) is
/// answered 503, and its event still reaches the trail, once: it waits in the tip's row on the real Azurite.
/// </summary>
public sealed class PendingAuditTests : IAsyncLifetime
{
    private readonly AppendFailures _failures = new();
    private TriageHost _host = null!;

    public async Task InitializeAsync() => _host = await TriageHost.StartAsync(configureServices: services =>
        services.AddSingleton<ITriageStore>(provider => new AppendFailingStore(ActivatorUtilities.CreateInstance<TableTriageStore>(provider), _failures)));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Change_answered_503_between_update_and_event_is_still_audited_once()
    {
        var id = await _host.SeedAsync(TestTips.NewMarker());
        var (_, etag) = await _host.ReadTipAsync(id);
        _failures.Remaining = 1;

        using (var failed = await _host.ChangeAsync(id, "status", new { status = "in-review" }, etag))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        }

        var (tip, current) = await _host.ReadTipAsync(id);
        Assert.Equal("in-review", tip.GetProperty("status").GetString());
        using (var next = await _host.ChangeAsync(id, "notes", new { text = "Spoke to the family." }, current))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        var actions = (await _host.EventsAsync(id)).Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(1, actions.Count(a => a == TipEventActions.StatusChanged));
        Assert.Equal(1, actions.Count(a => a == TipEventActions.NoteAdded));
        Assert.True(actions.IndexOf(TipEventActions.StatusChanged) < actions.IndexOf(TipEventActions.NoteAdded), string.Join(",", actions));
    }

    private sealed class AppendFailures
    {
        public int Remaining { get; set; }

        public void ThrowIfAsked()
        {
            if (Remaining > 0)
            {
                Remaining--;
                throw new StorageUnavailableException("append failed (forced by the test)");
            }
        }
    }

    /// <summary>The real store, except that the next appends of audit events fail as an outage would.</summary>
    private sealed class AppendFailingStore(ITriageStore inner, AppendFailures failures) : ITriageStore
    {
        public IAsyncEnumerable<TriageTip> ScanAsync(bool withContent, CancellationToken cancellationToken) => inner.ScanAsync(withContent, cancellationToken);

        public Task<TriageTip?> GetAsync(string tipId, CancellationToken cancellationToken) => inner.GetAsync(tipId, cancellationToken);

        public Task<TriageTip?> GetAsync(string queue, string tipId, CancellationToken cancellationToken) => inner.GetAsync(queue, tipId, cancellationToken);

        public Task<string?> ClearPendingIndexAsync(TriageTip tip, CancellationToken cancellationToken) => inner.ClearPendingIndexAsync(tip, cancellationToken);

        public Task<string?> MarkPurgeAsync(string queue, string tipId, string etag, CancellationToken cancellationToken) =>
            inner.MarkPurgeAsync(queue, tipId, etag, cancellationToken);

        public Task<StoreWrite> UpdateAsync(TipUpdate update, CancellationToken cancellationToken) => inner.UpdateAsync(update, cancellationToken);

        public Task<IReadOnlyList<TipNote>> GetNotesAsync(string tipId, CancellationToken cancellationToken) => inner.GetNotesAsync(tipId, cancellationToken);

        public Task AddNoteAsync(string tipId, TipNote note, CancellationToken cancellationToken) => inner.AddNoteAsync(tipId, note, cancellationToken);

        public Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken)
        {
            if (tipEvent.Action != TipEventActions.Viewed)
            {
                failures.ThrowIfAsked();
            }

            return inner.AddEventAsync(tipEvent, cancellationToken);
        }

        public Task<IReadOnlyList<TipEvent>> GetEventsAsync(string tipId, CancellationToken cancellationToken) => inner.GetEventsAsync(tipId, cancellationToken);
    }
}
