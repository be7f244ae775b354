using System.Net;

namespace TipIntake.Benchmarks.Flood;

/// <summary>
/// The no-script flooder: <c>W</c> dedicated threads posting valid reports to <c>POST /submit</c> as fast as they are
/// answered. A page (and its ticket) is fetched once and posted again and again until a report is accepted, since a
/// refused post does not spend its ticket; then a fresh page is fetched.
/// </summary>
public sealed class FormAttacker(Uri origin, int workers) : IDisposable
{
    private readonly HttpClient _http = FloodClients.Create(origin, workers);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Thread> _threads = [];
    private long _accepted;
    private long _requests;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Requests => Interlocked.Read(ref _requests);

    public void Start()
    {
        for (var i = 0; i < workers; i++)
        {
            var thread = new Thread(Run) { IsBackground = true, Name = $"form-attacker-{i}" };
            _threads.Add(thread);
            thread.Start();
        }
    }

    public void Stop()
    {
        _stop.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
    }

    public void Dispose()
    {
        _stop.Dispose();
        _http.Dispose();
    }

    private void Run()
    {
        var n = 0;
        string? page = null;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                page ??= FloodClients.GetText(_http, "/?lang=en", _stop.Token);
                using var form = FormPages.Report(page, "forced-repatriation", "imminent", $"Flood report {n++}. Three people were taken to the detention centre.");
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("submit", UriKind.Relative)) { Content = form };
                Interlocked.Increment(ref _requests);
                using var response = _http.Send(request, _stop.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref _accepted);
                    page = null;
                }
                else if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    page = null;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                page = null;
            }
        }
    }
}
