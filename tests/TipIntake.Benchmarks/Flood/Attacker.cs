namespace TipIntake.Benchmarks.Flood;

/// <summary>
/// A flooder's <c>W</c> dedicated threads (not the thread pool's: each blocks on its own requests and hashing), a
/// connection each, stopped together; and what they achieved, counted as they go.
/// </summary>
public abstract class Attacker(Uri origin, int workers, string name) : IDisposable
{
    private readonly List<Thread> _threads = [];
    private long _accepted;
    private long _requests;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Requests => Interlocked.Read(ref _requests);

    protected HttpClient Http { get; } = FloodClients.Create(origin, workers);

    protected CancellationTokenSource Stopping { get; } = new();

    public void Start()
    {
        for (var i = 0; i < workers; i++)
        {
            var seed = i;
            var thread = new Thread(() => Run(seed)) { IsBackground = true, Name = $"{name}-{i}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    public void Stop()
    {
        Stopping.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Stopping.Dispose();
            Http.Dispose();
        }
    }

    /// <summary>One worker's loop, until <see cref="Stopping"/> is cancelled.</summary>
    protected abstract void Run(int seed);

    protected void CountRequest() => Interlocked.Increment(ref _requests);

    protected void CountAccepted() => Interlocked.Increment(ref _accepted);
}
