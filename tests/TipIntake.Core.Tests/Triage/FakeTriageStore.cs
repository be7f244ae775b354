using System.Runtime.CompilerServices;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Tests.Triage;

/// <summary>
/// The triage tables in memory, faithful to Table Storage's optimistic concurrency: every write gives the row a new
/// storage ETag, and an update naming any other storage ETag than the current one is refused as stale. Notes and events are append-only.
/// </summary>
internal sealed class FakeTriageStore : ITriageStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TriageTip> _tips = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TipNote>> _notes = new(StringComparer.Ordinal);
    private readonly List<TipEvent> _events = [];
    private long _version;

    /// <summary>Runs after the service read a tip and before its guarded update: a concurrent writer's window.</summary>
    public Action<string>? BeforeUpdate { get; set; }

    public IReadOnlyList<TipEvent> AllEvents
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public int Updates { get; private set; }

    /// <summary>How many of the next note and event appends fail as storage would (after the guarded update).</summary>
    public int FailAppends { get; set; }

    public TriageTip Add(TipSummary summary, TipContent content)
    {
        lock (_gate)
        {
            var tip = new TriageTip(summary, content, NextETag(), Version: 0);
            _tips.Add(summary.Id, tip);
            return tip;
        }
    }

    /// <summary>Another writer changes the row (its ETag moves on).</summary>
    public void Touch(string tipId)
    {
        lock (_gate)
        {
            _tips[tipId] = _tips[tipId] with { StorageETag = NextETag(), Version = _tips[tipId].Version + 1 };
        }
    }

    public async IAsyncEnumerable<TriageTip> ScanAsync(bool withContent, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        TriageTip[] snapshot;
        lock (_gate)
        {
            snapshot = [.. _tips.Values];
        }

        foreach (var tip in snapshot)
        {
            await Task.Yield();
            yield return tip;
        }
    }

    public Task<TriageTip?> GetAsync(string tipId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tips.GetValueOrDefault(tipId));
        }
    }

    public Task<TriageTip?> GetAsync(string queue, string tipId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tips.GetValueOrDefault(tipId) is { } tip && tip.Summary.Queue == queue ? tip : null);
        }
    }

    public Task<string?> ClearPendingIndexAsync(TriageTip tip, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_tips.TryGetValue(tip.Summary.Id, out var current) || current.StorageETag != tip.StorageETag)
            {
                return Task.FromResult<string?>(null);
            }

            var cleared = current with { StorageETag = NextETag(), PendingIndex = null };
            _tips[tip.Summary.Id] = cleared;
            return Task.FromResult<string?>(cleared.StorageETag);
        }
    }

    public Task<string?> MarkPurgeAsync(string queue, string tipId, string etag, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_tips.TryGetValue(tipId, out var current) || current.StorageETag != etag)
            {
                return Task.FromResult<string?>(null);
            }

            var marked = current with { StorageETag = NextETag(), PendingIndex = new PendingIndex(PendingIndexKinds.Purge) };
            _tips[tipId] = marked;
            return Task.FromResult<string?>(marked.StorageETag);
        }
    }

    /// <summary>Gives a row a pending index marker, as the write that left work behind would have.</summary>
    public TriageTip SetPendingIndex(string tipId, PendingIndex pending)
    {
        lock (_gate)
        {
            var marked = _tips[tipId] with { StorageETag = NextETag(), PendingIndex = pending };
            _tips[tipId] = marked;
            return marked;
        }
    }

    /// <summary>Removes a tip's row (what retention's delete does).</summary>
    public void Delete(string tipId)
    {
        lock (_gate)
        {
            _tips.Remove(tipId);
        }
    }

    public Task<StoreWrite> UpdateFlagsAsync(TipSummary flagged, TipSummary before, string expectedStorageETag, CancellationToken cancellationToken)
    {
        BeforeUpdate?.Invoke(flagged.Id);
        lock (_gate)
        {
            if (!_tips.TryGetValue(flagged.Id, out var tip) || tip.Summary.Queue != flagged.Queue)
            {
                return Task.FromResult<StoreWrite>(new StoreWrite.Missing());
            }

            if (tip.StorageETag != expectedStorageETag)
            {
                return Task.FromResult<StoreWrite>(new StoreWrite.Stale());
            }

            var written = tip with
            {
                Summary = tip.Summary with { AwaitingReporter = flagged.AwaitingReporter, NewAnswers = flagged.NewAnswers },
                StorageETag = NextETag(),
                PendingIndex = new PendingIndex(PendingIndexKinds.Change, before),
            };
            _tips[flagged.Id] = written;
            return Task.FromResult<StoreWrite>(new StoreWrite.Written(written.StorageETag));
        }
    }

    public Task<StoreWrite> UpdateAsync(TipUpdate update, CancellationToken cancellationToken)
    {
        BeforeUpdate?.Invoke(update.TipId);
        lock (_gate)
        {
            if (!_tips.TryGetValue(update.TipId, out var tip) || tip.Summary.Queue != update.Queue)
            {
                return Task.FromResult<StoreWrite>(new StoreWrite.Missing());
            }

            if (tip.StorageETag != update.ExpectedStorageETag)
            {
                return Task.FromResult<StoreWrite>(new StoreWrite.Stale());
            }

            Updates++;
            var written = tip with
            {
                Summary = tip.Summary with
                {
                    Status = update.Status,
                    AssignedTo = update.AssignedTo,
                    Labels = [.. update.Labels],
                    LastChangedAt = update.LastChangedAt,
                },
                StorageETag = NextETag(),
                Version = update.Version,
                Pending = update.Audit,
                PendingIndex = new PendingIndex(PendingIndexKinds.Change, update.Before),
            };
            _tips[update.TipId] = written;
            return Task.FromResult<StoreWrite>(new StoreWrite.Written(written.StorageETag));
        }
    }

    public Task<IReadOnlyList<TipNote>> GetNotesAsync(string tipId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<TipNote>>(
                _notes.TryGetValue(tipId, out var notes) ? [.. notes.OrderBy(n => n.Id, StringComparer.Ordinal)] : []);
        }
    }

    public Task AddNoteAsync(string tipId, TipNote note, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            FailIfAsked();
            var notes = _notes.TryGetValue(tipId, out var existing) ? existing : _notes[tipId] = [];
            if (notes.Any(n => n.Id == note.Id))
            {
                // Insert-only, keyed by id: the same note appended again is left as it is (Table Storage's 409).
                return Task.CompletedTask;
            }

            notes.Add(note);
            return Task.CompletedTask;
        }
    }

    public Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            FailIfAsked();
            if (!_events.Any(e => e.TipId == tipEvent.TipId && e.Id == tipEvent.Id))
            {
                _events.Add(tipEvent);
            }

            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<TipEvent>> GetEventsAsync(string tipId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(TrailOrder.Sort(_events.Where(e => e.TipId == tipId)));
        }
    }

    private string NextETag() => $"W/\"datetime'{Interlocked.Increment(ref _version)}'\"";

    /// <summary>Called under the lock.</summary>
    private void FailIfAsked()
    {
        if (FailAppends > 0)
        {
            FailAppends--;
            throw new Core.Intake.StorageUnavailableException("append failed (forced)");
        }
    }
}
