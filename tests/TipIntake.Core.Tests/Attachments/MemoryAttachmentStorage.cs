using TipIntake.Core.Attachments;
using TipIntake.Core.Intake;
using TipIntake.Core.Processing;
using TipIntake.Core.Triage;

namespace TipIntake.Core.Tests.Attachments;

/// <summary>
/// The rows and blobs binding touches, in memory — table <c>Uploads</c>, the two containers, table <c>Attachments</c>
/// the quarantine and the tips' audit trail — with one count of storage calls, so that a test can make any one of them fail, before or after
/// it takes effect (a crash, or an answer lost on the way back).
/// </summary>
internal sealed class MemoryAttachmentStorage : IUploadStore, IAttachmentBlobs, ITipAttachmentStore, IQuarantine, IAuditTrail
{
    public Dictionary<string, UploadRecord> Uploads { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Claims { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Staged { get; } = new(StringComparer.Ordinal);

    /// <summary>Container <c>attachments</c>: <c>&lt;tip id&gt;/&lt;n&gt;</c> and <c>quarantine/&lt;upload&gt;</c>.</summary>
    public Dictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string TipId, int Number), TipAttachment> Rows { get; } = [];

    /// <summary>Each row's <c>Timestamp</c>: <see cref="Clock"/> when it was last written, as Table Storage keeps it.</summary>
    public Dictionary<(string TipId, int Number), DateTimeOffset> RowsWrittenAt { get; } = [];

    /// <summary>The day each upload's row was made (<c>Day</c>); today by <see cref="Clock"/> when a test sets none.</summary>
    public Dictionary<string, DateOnly> UploadDays { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset Clock { get; set; } = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public Dictionary<(QuarantineReason Reason, string Id), QuarantineEntry> Quarantined { get; } = [];

    /// <summary>Table <c>TipEvents</c>: insert-only, keyed by tip id and event id, as Table Storage keeps it.</summary>
    public Dictionary<(string TipId, string Id), TipEvent> Events { get; } = [];

    /// <summary>Storage calls made so far.</summary>
    public int Calls { get; private set; }

    /// <summary>The call (counted from 1) that fails; null for none.</summary>
    public int? FailCall { get; set; }

    /// <summary>Whether the failing call takes effect before it throws (its answer lost) or not at all.</summary>
    public bool FailAfterEffect { get; set; }

    /// <summary>Makes the next audit event's write fail, before or after it takes effect; once.</summary>
    public FailAt? FailEvent { get; set; }

    /// <summary>A description of everything stored, to compare end states.</summary>
    public string Snapshot() => string.Join('\n', new[]
        {
            Uploads.Select(u => $"upload {u.Key} complete={u.Value.Complete}"),
            Claims.Select(c => $"claim {c.Key} {c.Value}"),
            Staged.Select(b => $"staged {b.Key} {Convert.ToHexString(b.Value)}"),
            Files.Select(b => $"file {b.Key} {Convert.ToHexString(b.Value)}"),
            Rows.Select(r => $"row {r.Key.TipId}/{r.Key.Number} {r.Value.State} {r.Value.Entry.Upload}"),
            Quarantined.Select(q => $"quarantine {q.Key.Reason} {q.Key.Id} {q.Value.Detail} {Convert.ToHexString(q.Value.Message.Span)}"),
            Events.Values.Select(e => $"event {e.TipId} {e.Id} {e.At:O} {e.Actor} {e.Action} {e.From} {e.To}"),
        }.SelectMany(lines => lines).Order(StringComparer.Ordinal));

    Task<UploadRecord?> IUploadStore.GetAsync(UploadId upload, CancellationToken cancellationToken) =>
        Call(() => Uploads.GetValueOrDefault(upload.ToString()));

    public Task<bool> TryCreateAsync(UploadId upload, UploadRecord record, CancellationToken cancellationToken) =>
        Call(() => Uploads.TryAdd(upload.ToString(), record));

    public Task StageAsync(UploadId upload, string blockId, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Binding never stages a chunk.");

    public Task<IReadOnlyList<string>> ListBlocksAsync(UploadId upload, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Binding never lists blocks.");

    public Task CommitAsync(UploadId upload, IReadOnlyList<string> blockIds, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Binding never commits.");

    public Task MarkCompleteAsync(UploadId upload, UploadRecord completed, CancellationToken cancellationToken) =>
        Call(() => Uploads[upload.ToString()] = completed);

    public Task ClaimAsync(UploadId upload, string tipId, int number, CancellationToken cancellationToken) =>
        Call(() => Uploads.ContainsKey(upload.ToString()) ? Claims[upload.ToString()] = $"{tipId}/{number}" : null);

    public Task DeleteAsync(UploadId upload, CancellationToken cancellationToken) =>
        Call(() => Uploads.Remove(upload.ToString()) | Claims.Remove(upload.ToString()) | UploadDays.Remove(upload.ToString()));

    public Task<bool> CopyToTipAsync(UploadId upload, string tipId, int number, CancellationToken cancellationToken) =>
        Call(() => Copy(upload, $"{tipId}/{number}"));

    public Task<bool> CopyToQuarantineAsync(UploadId upload, CancellationToken cancellationToken) =>
        Call(() => Copy(upload, $"quarantine/{upload}"));

    public Task DeleteStagedAsync(UploadId upload, CancellationToken cancellationToken) =>
        Call(() => Staged.Remove(upload.ToString()));

    public Task DeleteQuarantinedAsync(UploadId upload, CancellationToken cancellationToken) =>
        Call(() => Files.Remove($"quarantine/{upload}"));

    public Task PutAsync(TipAttachment attachment, CancellationToken cancellationToken) => Call(() =>
    {
        RowsWrittenAt[(attachment.TipId, attachment.Number)] = Clock;
        return Rows[(attachment.TipId, attachment.Number)] = attachment;
    });

    public Task<bool> TryAddAsync(TipAttachment attachment, CancellationToken cancellationToken) => Call(() =>
    {
        var added = Rows.TryAdd((attachment.TipId, attachment.Number), attachment);
        if (added)
        {
            RowsWrittenAt[(attachment.TipId, attachment.Number)] = Clock;
        }

        return added;
    });

    public async IAsyncEnumerable<(TipAttachment Attachment, DateTimeOffset WrittenAt)> ListAwaitedAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var awaited = await Call(() => Rows.Values.Where(r => r.State == AttachmentState.Awaited).ToList());
        foreach (var row in awaited)
        {
            yield return (row, RowsWrittenAt.GetValueOrDefault((row.TipId, row.Number), Clock));
        }
    }

    public async IAsyncEnumerable<UploadListing> ListCreatedByAsync(DateOnly day, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(Clock.UtcDateTime);
        var old = await Call(() => Uploads.Where(u => UploadDays.GetValueOrDefault(u.Key, today) <= day).ToList());
        foreach (var (upload, record) in old)
        {
            Assert.True(UploadId.TryParse(upload, out var id));
            yield return new UploadListing(id, record, UploadDays.GetValueOrDefault(upload, today), Claims.GetValueOrDefault(upload));
        }
    }

    Task<TipAttachment?> ITipAttachmentStore.GetAsync(string tipId, int number, CancellationToken cancellationToken) =>
        Call(() => Rows.GetValueOrDefault((tipId, number)));

    public Task<IReadOnlyList<TipAttachment>> ListAsync(string tipId, CancellationToken cancellationToken) =>
        Call<IReadOnlyList<TipAttachment>>(() => [.. Rows.Values.Where(r => r.TipId == tipId).OrderBy(r => r.Number)]);

    public Task<Stream?> OpenCiphertextAsync(string tipId, int number, int chunkBytes, CancellationToken cancellationToken) =>
        Call<Stream?>(() => Files.TryGetValue($"{tipId}/{number}", out var bytes) ? new MemoryStream(bytes, writable: false) : null);

    public Task<IReadOnlySet<string>> ListTipIdsAsync(CancellationToken cancellationToken) => Call<IReadOnlySet<string>>(() =>
        Rows.Keys.Select(key => key.TipId)
            .Concat(Files.Keys.Where(name => !name.StartsWith("quarantine/", StringComparison.Ordinal)).Select(name => name[..name.IndexOf('/', StringComparison.Ordinal)]))
            .ToHashSet(StringComparer.Ordinal));

    public Task<int> DeleteAllAsync(string tipId, CancellationToken cancellationToken) => Call(() =>
    {
        foreach (var name in Files.Keys.Where(name => name.StartsWith(tipId + "/", StringComparison.Ordinal)).ToList())
        {
            Files.Remove(name);
        }

        var rows = Rows.Keys.Where(key => key.TipId == tipId).ToList();
        rows.ForEach(key => Rows.Remove(key));
        return rows.Count;
    });

    public Task PutAsync(QuarantineEntry entry, CancellationToken cancellationToken) =>
        Call(() => Quarantined[(entry.Reason, entry.Id)] = entry with { Message = entry.Message.ToArray() });

    public Task AddEventAsync(TipEvent tipEvent, CancellationToken cancellationToken)
    {
        var failing = FailEvent;
        FailEvent = null;
        if (failing == FailAt.BeforeEffect)
        {
            throw new StorageUnavailableException("the audit event could not be written (forced)");
        }

        var write = Call(() => Events.TryAdd((tipEvent.TipId, tipEvent.Id), tipEvent));
        return failing == FailAt.AfterEffect ? throw new StorageUnavailableException("the audit event's answer was lost (forced)") : write;
    }

    private bool Copy(UploadId upload, string target)
    {
        if (Staged.TryGetValue(upload.ToString(), out var bytes))
        {
            Files[target] = bytes;
        }

        return Files.ContainsKey(target);
    }

    private Task<T> Call<T>(Func<T> effect)
    {
        var failing = ++Calls == FailCall;
        if (failing && !FailAfterEffect)
        {
            throw new StorageUnavailableException("storage unavailable (forced)");
        }

        var result = effect();
        return failing ? throw new StorageUnavailableException("storage unavailable after the effect (forced)") : Task.FromResult(result);
    }
}

/// <summary>Whether a forced failure comes before the call takes effect or after (its answer lost).</summary>
internal enum FailAt
{
    BeforeEffect,
    AfterEffect,
}
