using System.Diagnostics;

namespace TipIntake.IntegrationTests.Hostile;

/// <summary>Samples this process's managed heap and working set every 10 ms until stopped; returns the peaks.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<(long Heap, long WorkingSet)> _sampling;

    public MemorySampler() => _sampling = Task.Run(SampleAsync);

    public (long Heap, long WorkingSet) Stop()
    {
        _stop.Cancel();
        return _sampling.GetAwaiter().GetResult();
    }

    public void Dispose() => _stop.Dispose();

    private async Task<(long Heap, long WorkingSet)> SampleAsync()
    {
        long heap = 0, workingSet = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        using var process = Process.GetCurrentProcess();
        do
        {
            heap = Math.Max(heap, GC.GetTotalMemory(forceFullCollection: false));
            process.Refresh();
            workingSet = Math.Max(workingSet, process.WorkingSet64);
        }
        while (await WaitAsync(timer));
        return (heap, workingSet);
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
