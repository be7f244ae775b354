using System.Diagnostics;
using System.Globalization;

namespace TipIntake.IntegrationTests.Hostile;

/// <summary>
/// Samples this process's managed heap and working set, and the resident set of the worker process (which reads the
/// request bodies), every 10 ms until stopped; returns the peaks.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<(long Heap, long WorkingSet, long WorkerRss)> _sampling;
    private readonly int _worker;

    public MemorySampler(int worker)
    {
        _worker = worker;
        _sampling = Task.Run(SampleAsync);
    }

    public (long Heap, long WorkingSet, long WorkerRss) Stop()
    {
        _stop.Cancel();
        return _sampling.GetAwaiter().GetResult();
    }

    public void Dispose() => _stop.Dispose();

    /// <summary>Resident set size of a process (VmRSS), in bytes; 0 where /proc is not there.</summary>
    public static long Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private async Task<(long Heap, long WorkingSet, long WorkerRss)> SampleAsync()
    {
        long heap = 0, workingSet = 0, workerRss = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        using var process = Process.GetCurrentProcess();
        do
        {
            heap = Math.Max(heap, GC.GetTotalMemory(forceFullCollection: false));
            process.Refresh();
            workingSet = Math.Max(workingSet, process.WorkingSet64);
            workerRss = Math.Max(workerRss, Rss(_worker));
        }
        while (await WaitAsync(timer));
        return (heap, workingSet, workerRss);
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
