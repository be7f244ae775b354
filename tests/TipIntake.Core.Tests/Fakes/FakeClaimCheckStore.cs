using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using TipIntake.Core.Intake;

namespace TipIntake.Core.Tests.Fakes;

/// <summary>The claim-check store in memory, with a switch that makes it unavailable.</summary>
internal sealed class FakeClaimCheckStore(TimeProvider? time = null) : IClaimCheckStore
{
    private readonly ConcurrentDictionary<string, (string Jwe, DateTimeOffset WrittenAt)> _items = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public bool Unavailable { get; set; }

    /// <summary>Only deletes fail (storage went away just after a tip was stored).</summary>
    public bool DeletesFail { get; set; }

    public IReadOnlyDictionary<string, string> Items => _items.ToDictionary(pair => pair.Key, pair => pair.Value.Jwe, StringComparer.Ordinal);

    public Task PutAsync(string name, string compactJwe, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        _items[name] = (compactJwe, _time.GetUtcNow());
        return Task.CompletedTask;
    }

    public Task<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        return Task.FromResult(_items.TryGetValue(name, out var item) ? item.Jwe : null);
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        if (DeletesFail)
        {
            throw new StorageUnavailableException("claim-check delete failed (forced)");
        }

        _items.TryRemove(name, out _);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<ClaimCheck> ListWrittenBeforeAsync(
        DateTimeOffset writtenBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ThrowIfUnavailable();
        foreach (var (name, item) in _items.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (item.WrittenAt < writtenBefore)
            {
                yield return new ClaimCheck(name, item.WrittenAt);
            }
        }

        await Task.CompletedTask;
    }

    private void ThrowIfUnavailable()
    {
        if (Unavailable)
        {
            throw new StorageUnavailableException("claim-check store unavailable (forced)");
        }
    }
}
