using TipIntake.Core.Attachments;

namespace TipIntake.Core.Tests.Fakes;

/// <summary>Open-upload counters in memory, one per day, counted from the window's start as the table adapter counts them.</summary>
internal sealed class MemoryOpenUploadLedger : IOpenUploadLedger
{
    private readonly Lock _lock = new();

    public Dictionary<DateOnly, int> Open { get; } = [];

    public int Asks { get; private set; }

    public DateOnly? LastCountFrom { get; private set; }

    public Task<bool> TryTakeAsync(DateOnly day, DateOnly countFrom, int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Asks++;
            LastCountFrom = countFrom;
            if (Open.Where(c => c.Key >= countFrom).Sum(c => c.Value) >= max)
            {
                return Task.FromResult(false);
            }

            Open[day] = Open.GetValueOrDefault(day) + 1;
            return Task.FromResult(true);
        }
    }

    public Task ReleaseAsync(DateOnly day, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Open.TryGetValue(day, out var open))
            {
                Open[day] = Math.Max(0, open - 1);
            }

            return Task.CompletedTask;
        }
    }
}
