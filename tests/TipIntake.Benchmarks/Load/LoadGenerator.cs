using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TipIntake.Benchmarks.Load;

public sealed record LoadResult(
    string Name,
    int Connections,
    long Requests,
    long Accepted,
    long Errors,
    string ErrorSummary,
    TimeSpan Elapsed,
    double[] LatencyMs,
    TimeSpan ServerCpu,
    long PeakRssDuring,
    long InlineChallenges,
    TimeSpan HopCpu = default,
    TimeSpan JitCpu = default,
    TimeSpan AzuriteCpu = default)
{
    public double RequestsPerSecond => Accepted / Elapsed.TotalSeconds;

    /// <summary>Two runs of the same point as one: counts and times added, latencies pooled, the higher peak RSS.</summary>
    public static LoadResult Merge(LoadResult a, LoadResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        double[] latencies = [.. a.LatencyMs, .. b.LatencyMs];
        Array.Sort(latencies);
        return new LoadResult(
            a.Name, a.Connections, a.Requests + b.Requests, a.Accepted + b.Accepted, a.Errors + b.Errors,
            string.Join(", ", new[] { a.ErrorSummary, b.ErrorSummary }.Where(s => s.Length > 0)),
            a.Elapsed + b.Elapsed, latencies, a.ServerCpu + b.ServerCpu, Math.Max(a.PeakRssDuring, b.PeakRssDuring),
            a.InlineChallenges + b.InlineChallenges, a.HopCpu + b.HopCpu, a.JitCpu + b.JitCpu, a.AzuriteCpu + b.AzuriteCpu);
    }

    public double Percentile(double p)
    {
        if (LatencyMs.Length == 0)
        {
            return double.NaN;
        }

        var index = (int)Math.Ceiling(p / 100 * LatencyMs.Length) - 1;
        return LatencyMs[Math.Clamp(index, 0, LatencyMs.Length - 1)];
    }

    /// <summary>The server's CPU per request: for the local host, the host and its worker together.</summary>
    public double CpuMsPerRequest => Requests == 0 ? double.NaN : ServerCpu.TotalMilliseconds / Requests;

    /// <summary>The server process's own CPU per request: for the local host, the host hop (routing, forwarding, gRPC) alone.</summary>
    public double HopCpuMsPerRequest => Requests == 0 ? double.NaN : HopCpu.TotalMilliseconds / Requests;

    /// <summary>Azurite's CPU per request (the storage work a request caused; the points run one at a time).</summary>
    public double AzuriteCpuMsPerRequest => Requests == 0 ? double.NaN : AzuriteCpu.TotalMilliseconds / Requests;

    /// <summary>Of <see cref="ServerCpu"/>, the share of the runtime's tiered-compilation threads: near zero once warm.</summary>
    public double JitShare => ServerCpu <= TimeSpan.Zero ? double.NaN : JitCpu / ServerCpu;

    /// <summary>A coarse latency histogram (counts per bucket, in ms).</summary>
    public string Histogram()
    {
        double[] edges = [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, double.PositiveInfinity];
        var counts = new long[edges.Length];
        foreach (var ms in LatencyMs)
        {
            counts[Array.FindIndex(edges, edge => ms <= edge)]++;
        }

        var parts = new List<string>();
        for (var i = 0; i < edges.Length; i++)
        {
            if (counts[i] > 0)
            {
                parts.Add(double.IsPositiveInfinity(edges[i]) ? $">1000:{counts[i]}" : $"≤{edges[i]}:{counts[i]}");
            }
        }

        return string.Join(" ", parts);
    }
}

/// <summary>
/// A closed-loop HTTP load generator: <c>connections</c> workers, each sending its next request when the previous one
/// is answered, for a fixed time and at most <c>maxRequests</c> in all. Loopback only.
/// </summary>
public static class LoadGenerator
{
    public const string StampHeader = "TipIntake-Stamp";

    public static HttpClient Client(Uri baseAddress, int connections)
    {
        if (!IPAddress.IsLoopback(IPAddress.Parse(baseAddress.Host)))
        {
            throw new InvalidOperationException("Load is only ever sent to loopback.");
        }

        return new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseCookies = false, UseProxy = false })
        {
            BaseAddress = baseAddress,
            // Longer than the intake's own worst case (three storage attempts of up to 10 s each, then a 503), so that a
            // slow answer is recorded as what the intake said rather than as the client giving up.
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>Challenges fetched ahead of a run, so the measured requests are POSTs only (difficulty must be 0).</summary>
    public static async Task<ConcurrentQueue<string>> FetchChallengesAsync(HttpClient http, int count, int parallel)
    {
        var stamps = new ConcurrentQueue<string>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, ct) =>
            stamps.Enqueue(await FetchStampAsync(http, ct)));
        return stamps;
    }

    public static async Task<string> FetchStampAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var challenge = await http.GetFromJsonAsync<JsonElement>("api/challenge", cancellationToken);
        if (challenge.GetProperty("difficulty").GetInt32() != 0)
        {
            throw new InvalidOperationException("Flood control asks for work: the benchmark settings should keep the difficulty at 0.");
        }

        return challenge.GetProperty("challenge").GetString() + ":0";
    }

    /// <summary>The <c>type</c> (or <c>title</c>) of a problem+json answer, to tell refusals apart in the error summary.</summary>
    private static string ProblemType(byte[] body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("type", out var type) ? type.ToString()
                : problem.RootElement.TryGetProperty("title", out var title) ? title.ToString() : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    public static async Task<LoadResult> RunAsync(
        string name,
        HttpClient http,
        ChildServer server,
        string path,
        IReadOnlyList<string> bodies,
        string contentType,
        int connections,
        TimeSpan duration,
        int maxRequests,
        ConcurrentQueue<string>? stamps,
        Process? azurite = null)
    {
        long issued = 0, accepted = 0, errors = 0, inline = 0;
        var errorKinds = new ConcurrentDictionary<string, int>();
        var latencies = new List<double>[connections];
        var cpuBefore = server.CpuTime();
        var hopBefore = server.OwnCpuTime();
        // The tiered-compilation threads come and go: sampled with the memory, each thread counted from where it stood
        // at the start (or from zero when it started during the point). A thread that lives between two samples is
        // missed, so this is a lower bound.
        var jitAtStart = server.JitThreadCpu();
        var jitSeen = new Dictionary<int, TimeSpan>(jitAtStart);
        void SampleJit()
        {
            foreach (var (thread, threadCpu) in server.JitThreadCpu())
            {
                jitSeen[thread] = threadCpu;
            }
        }

        azurite?.Refresh();
        var azuriteBefore = azurite?.TotalProcessorTime ?? TimeSpan.Zero;
        long peakRss = server.Rss();
        using var stop = new CancellationTokenSource(duration);
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakRss = Math.Max(peakRss, server.Rss());
                SampleJit();
                await Task.Delay(200, CancellationToken.None);
            }
        });
        // When each segment starts and which processes serve it, so that a profiler can be attached to exactly that
        // segment (docs/benchmarks.md, "Profiling the intake").
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {DateTimeOffset.UtcNow:HH:mm:ss.fff} {name} ({connections} connections, {duration.TotalSeconds:F1} s): pids {string.Join(",", server.ProcessIds())}"));
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(worker => Task.Run(async () =>
        {
            var mine = latencies[worker] = new List<double>(maxRequests / connections + 1);
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref issued);
                if (n > maxRequests)
                {
                    Interlocked.Decrement(ref issued);
                    break;
                }

                string? stamp = null;
                var step = "POST";
                var started = Stopwatch.GetTimestamp();
                try
                {
                    if (stamps is not null && !stamps.TryDequeue(out stamp))
                    {
                        Interlocked.Increment(ref inline);
                        step = "GET challenge";
                        stamp = await FetchStampAsync(http, CancellationToken.None);
                        step = "POST";
                        started = Stopwatch.GetTimestamp();
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
                    {
                        Content = new StringContent(bodies[(int)(n % bodies.Count)], Encoding.ASCII, contentType),
                    };
                    request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
                    if (stamp is not null)
                    {
                        request.Headers.TryAddWithoutValidation(StampHeader, stamp);
                    }

                    using var response = await http.SendAsync(request, CancellationToken.None);
                    var answer = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        Interlocked.Increment(ref accepted);
                    }
                    else
                    {
                        Interlocked.Increment(ref errors);
                        errorKinds.AddOrUpdate($"{(int)response.StatusCode} {ProblemType(answer)}".Trim(), 1, (_, c) => c + 1);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
                {
                    // Kept by kind (step, exception, inner exception) so a soak's failures can be classified afterwards.
                    Interlocked.Increment(ref errors);
                    var kind = $"{step}: {ex.GetType().Name}{(ex.InnerException is { } inner ? "/" + inner.GetType().Name : "")}";
                    errorKinds.AddOrUpdate(kind, 1, (_, c) => c + 1);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        clock.Stop();
        await stop.CancelAsync();
        await sampler;
        var cpu = server.CpuTime() - cpuBefore;
        var hop = server.OwnCpuTime() - hopBefore;
        SampleJit();
        var jit = jitSeen.Aggregate(TimeSpan.Zero, (sum, thread) => sum + thread.Value - jitAtStart.GetValueOrDefault(thread.Key));
        azurite?.Refresh();
        var azuriteCpu = (azurite?.TotalProcessorTime ?? TimeSpan.Zero) - azuriteBefore;
        var all = latencies.Where(l => l is not null).SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult(
            name, connections, issued, accepted, errors,
            string.Join(", ", errorKinds.Select(kv => $"{kv.Key}×{kv.Value}")),
            clock.Elapsed, all, cpu, peakRss, inline, hop, jit, azuriteCpu);
    }
}
