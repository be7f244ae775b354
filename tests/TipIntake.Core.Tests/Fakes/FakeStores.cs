using TipIntake.Core.Intake;
using TipIntake.Core.Processing;

namespace TipIntake.Core.Tests.Fakes;

/// <summary>Table <c>Tips</c> in memory: insert-only, keyed by tip id.</summary>
internal sealed class FakeTipStore : ITipStore
{
    private readonly Dictionary<string, StoredTip> _tips = new(StringComparer.Ordinal);

    public bool Unavailable { get; set; }

    public IReadOnlyCollection<StoredTip> Tips => _tips.Values;

    public Task<bool> TryAddAsync(StoredTip tip, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tip);
        if (Unavailable)
        {
            throw new StorageUnavailableException("tip store unavailable (forced)");
        }

        return Task.FromResult(_tips.TryAdd(tip.TipId, tip));
    }

    public Task<string?> FindTriageQueueAsync(string tipId, CancellationToken cancellationToken)
    {
        if (Unavailable)
        {
            throw new StorageUnavailableException("tip store unavailable (forced)");
        }

        return Task.FromResult(_tips.TryGetValue(tipId, out var tip) ? tip.Route.Queue : null);
    }
}

/// <summary>
/// Table <c>Quarantine</c> in memory, as the table adapter keys it: (reason, id), upserted. The message is copied, as
/// a table keeps its own bytes.
/// </summary>
internal sealed class FakeQuarantine : IQuarantine
{
    private readonly Dictionary<(QuarantineReason Reason, string Id), QuarantineEntry> _entries = [];

    public bool Unavailable { get; set; }

    public int Puts { get; private set; }

    public IReadOnlyCollection<QuarantineEntry> Entries => _entries.Values;

    public Task PutAsync(QuarantineEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Unavailable)
        {
            throw new StorageUnavailableException("quarantine unavailable (forced)");
        }

        Puts++;
        _entries[(entry.Reason, entry.Id)] = entry with { Message = entry.Message.ToArray() };
        return Task.CompletedTask;
    }
}

/// <summary>Queue <c>tips-inbound</c> in memory: records what it accepts, or refuses everything when told to.</summary>
internal sealed class FakeTipInbox : ITipInbox
{
    private readonly List<TipEnvelope> _envelopes = [];

    public bool Unavailable { get; set; }

    public IReadOnlyList<TipEnvelope> Envelopes => _envelopes;

    public Task EnqueueAsync(TipEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (Unavailable)
        {
            throw new StorageUnavailableException("queue unavailable (forced)");
        }

        _envelopes.Add(envelope);
        return Task.CompletedTask;
    }
}

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
