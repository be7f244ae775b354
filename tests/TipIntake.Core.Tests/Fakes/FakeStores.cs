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

/// <summary>
/// The lanes' queues in memory: records what each accepts (envelopes from intake, raw messages put back by the
/// processor, with their delay), or refuses everything when told to.
/// </summary>
internal sealed class FakeTipInbox : ITipInbox
{
    private readonly List<(TipEnvelope Envelope, Lane Lane)> _envelopes = [];
    private readonly List<(Lane Lane, byte[] Message, TimeSpan Delay)> _requeued = [];

    public bool Unavailable { get; set; }

    public IReadOnlyList<TipEnvelope> Envelopes => [.. _envelopes.Select(e => e.Envelope)];

    public IReadOnlyList<(TipEnvelope Envelope, Lane Lane)> Queued => _envelopes;

    public IReadOnlyList<(Lane Lane, byte[] Message, TimeSpan Delay)> Requeued => _requeued;

    /// <summary>What <see cref="CountAsync"/> says of each lane.</summary>
    public Dictionary<Lane, long> Counts { get; } = [];

    public Task EnqueueAsync(TipEnvelope envelope, Lane lane, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ThrowIfUnavailable();
        _envelopes.Add((envelope, lane));
        return Task.CompletedTask;
    }

    public Task RequeueAsync(Lane lane, ReadOnlyMemory<byte> message, TimeSpan delay, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        _requeued.Add((lane, message.ToArray(), delay));
        return Task.CompletedTask;
    }

    public Task<long> CountAsync(Lane lane, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Task.FromResult(Counts.GetValueOrDefault(lane));
    }

    private void ThrowIfUnavailable()
    {
        if (Unavailable)
        {
            throw new StorageUnavailableException("queue unavailable (forced)");
        }
    }
}

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
