using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using TipIntake.Benchmarks.Load;
using TipIntake.Infrastructure.Storage;
using TipIntake.LocalHost.Azurite;

namespace TipIntake.Benchmarks.Triage;

/// <summary>
/// <c>load --triage</c>: for each N, a fresh Azurite and a local host (child process) that processes its queue; N tips
/// sent through the real intake (stamps, JWEs) and processing (decrypt, validate, route, store, index), in batches
/// that the queue drains between; then the triage reads, timed one request at a time over HTTP, interleaved so that
/// drift on the machine falls on all alike. Prints p50/p95 per read and N, and each read's p50 at the largest N over
/// its p50 at the smallest (docs/benchmarks.md, "Triage").
/// </summary>
public static class TriageRun
{
    private const int SeedBatch = 2_500;
    private const int SeedClients = 16;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] ReaderRole = ["TipTriage.Reader"];

    public sealed record Settings(int[] Sizes, int Samples, string? Output, string[] HostArgs, string? LockFile)
    {
        public static Settings Parse(string[] args)
        {
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return new Settings(
                Value("--sizes")?.Split(',').Select(v => int.Parse(v, Inv)).ToArray() ?? [2_000, 10_000, 50_000],
                int.Parse(Value("--samples") ?? "60", Inv),
                Value("--out"),
                Value("--host-args")?.Split(';', StringSplitOptions.RemoveEmptyEntries) ?? [],
                Value("--lock"));
        }
    }

    private sealed record Read(string Name, Func<HttpClient, Task<HttpResponseMessage>> Send);

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Settings.Parse(args);
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        var keyFolder = Path.Combine(Path.GetTempPath(), $"tipintake-triage-bench-{Environment.ProcessId}");
        Say($"# TipIntake triage benchmark {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {Environment.ProcessorCount} logical CPUs, {Environment.OSVersion}, .NET {Environment.Version}");
        Say($"Settings: N = {string.Join(", ", settings.Sizes)}; {settings.Samples} samples per read and N, one request at a time, reads interleaved");
        using var key = TipFactory.Key(keyFolder);
        var results = new List<(int N, Dictionary<string, double[]> Latencies, string Seeding, string LoadBefore, string LoadAfter)>();
        foreach (var n in settings.Sizes)
        {
            await using var azurite = await AzuriteProcess.StartAsync(["benchtriage"], location: null);
            var connection = azurite.ConnectionString("benchtriage");
            await using var host = await StartHostAsync(connection, keyFolder, settings.HostArgs);
            using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };

            var seeding = await SeedAsync(http, connection, key, n, azurite.ProcessId, host);
            Console.WriteLine($"  N={n}: {seeding}");
            Dictionary<string, double[]> latencies;
            string loadBefore;
            await using (await ExclusiveLockAsync(settings.LockFile))
            {
                loadBefore = LoadAverage();
                latencies = await MeasureAsync(http, settings.Samples, n);
            }

            results.Add((n, latencies, seeding, loadBefore, LoadAverage()));
            Console.WriteLine($"  N={n}: measured; load {loadBefore} → {LoadAverage()}");

            // Each N's numbers at once (a long run that is stopped keeps what it measured).
            foreach (var (name, sorted) in latencies)
            {
                Console.WriteLine(string.Create(Inv, $"    {name}: p50 {Percentile(sorted, 50):F1} ms, p95 {Percentile(sorted, 95):F1} ms, max {sorted[^1]:F1} ms"));
            }

        }

        Say("");
        Say("## Seeding (intake + processing + indexing, batches of 2,500 drained in turn)");
        Say("");
        foreach (var (n, _, seeding, before, after) in results)
        {
            Say($"- N = {n}: {seeding}; load average while measuring {before} → {after}");
        }

        // Sizes may be run in any order (e.g. the largest second, so that it is measured first); tables go by N.
        results.Sort((a, b) => a.N.CompareTo(b.N));
        var reads = results[0].Latencies.Keys.ToList();
        Say("");
        Say("## Reads (ms, one request at a time over HTTP to the local host)");
        Say("");
        Say("| Read | " + string.Join(" | ", results.Select(r => $"N={r.N} p50 | N={r.N} p95")) + $" | p50 N={results[^1].N} ÷ N={results[0].N} |");
        Say("|---|" + string.Join("", results.Select(_ => "---:|---:|")) + "---:|");
        foreach (var read in reads)
        {
            var cells = results.Select(r => string.Create(Inv, $"{Percentile(r.Latencies[read], 50):F1} | {Percentile(r.Latencies[read], 95):F1}"));
            var ratio = Percentile(results[^1].Latencies[read], 50) / Percentile(results[0].Latencies[read], 50);
            Say(string.Create(Inv, $"| {read} | {string.Join(" | ", cells)} | {ratio:F2} |"));
        }

        if (settings.Output is not null)
        {
            await File.WriteAllTextAsync(settings.Output, report.ToString());
        }

        Directory.Delete(keyFolder, recursive: true);
        return 0;
    }

    /// <summary>
    /// N tips through POST /api/tips (16 clients, each with a fresh stamp), a batch at a time; after each batch, waits
    /// until the queue is empty: Azurite keeps deleted messages and stalls while it clears thousands of them.
    /// </summary>
    private static async Task<string> SeedAsync(HttpClient http, string connection, Infrastructure.Keys.LocalDevelopmentKey key, int n, int azuritePid, ChildServer host)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var clock = Stopwatch.StartNew();
        var hostCpu = host.CpuTime();
        using var azurite = Process.GetProcessById(azuritePid);
        var azuriteCpu = azurite.TotalProcessorTime;
        var publicKey = await key.GetPublicKeyAsync(CancellationToken.None);
        var retries = 0;
        for (var start = 0; start < n; start += SeedBatch)
        {
            var next = start - 1;
            var end = Math.Min(n, start + SeedBatch);
            await Task.WhenAll(Enumerable.Range(0, SeedClients).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref next); i < end; i = Interlocked.Increment(ref next))
                {
                    var jwe = Core.Jwe.JweEncryptor.Encrypt(TriageTips.Json(i, today), publicKey);
                    for (var attempt = 0; ; attempt++)
                    {
                        var stamp = await LoadGenerator.FetchStampAsync(http, CancellationToken.None);
                        using var request = new HttpRequestMessage(HttpMethod.Post, "api/tips") { Content = new StringContent(jwe, Encoding.ASCII) };
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/jose");
                        request.Headers.TryAddWithoutValidation(LoadGenerator.StampHeader, stamp);
                        using var response = await http.SendAsync(request);
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            break;
                        }

                        if (attempt > 20)
                        {
                            throw new InvalidOperationException($"Tip {i} was refused: {(int)response.StatusCode}");
                        }

                        Interlocked.Increment(ref retries);
                        await Task.Delay(500);
                    }
                }
            }));

            var queue = Drain.Inbound(connection);
            var deadline = Stopwatch.StartNew();
            while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
            {
                if (deadline.Elapsed > TimeSpan.FromMinutes(30))
                {
                    throw new TimeoutException($"The queue did not drain after {end} tips.");
                }

                await Task.Delay(250);
            }

            Console.WriteLine(string.Create(Inv, $"    {end} tips in {clock.Elapsed.TotalSeconds:F0} s ({end / clock.Elapsed.TotalSeconds:F0} tips/s)"));
        }

        // Stored is not yet searchable: wait for the content index too (the background batches).
        var index = new Infrastructure.Triage.Index.TableIndexSets(new TableServiceClient(connection));
        while (await index.CountAsync(Core.Triage.Index.TriageSets.PendingContent, CancellationToken.None) > 0)
        {
            await Task.Delay(250);
        }

        var elapsed = clock.Elapsed;
        var stored = await CountAsync(new TableServiceClient(connection).GetTableClient(StorageNames.TipsTable));
        var quarantined = await CountAsync(new TableServiceClient(connection).GetTableClient(StorageNames.QuarantineTable));
        if (stored != n)
        {
            throw new InvalidOperationException($"{stored} of {n} tips stored ({quarantined} quarantined).");
        }

        azurite.Refresh();
        return string.Create(Inv,
            $"{n} tips stored and indexed in {elapsed.TotalSeconds:F0} s ({n / elapsed.TotalSeconds:F0} tips/s; host CPU {(host.CpuTime() - hostCpu).TotalMilliseconds / n:F1} ms/tip, Azurite CPU {(azurite.TotalProcessorTime - azuriteCpu).TotalMilliseconds / n:F1} ms/tip; {retries} submissions retried)");
    }

    /// <summary>The reads of issue 17, each timed per request; interleaved round-robin after a warm-up.</summary>
    private static async Task<Dictionary<string, double[]>> MeasureAsync(HttpClient http, int samples, int n)
    {
        using var signIn = await http.PostAsJsonAsync("/dev/token", new { roles = ReaderRole, name = "Benchmark Reader" });
        signIn.EnsureSuccessStatusCode();
        var token = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Page 20's continuation and the ids to open, found once by paging.
        var ids = new List<string>();
        string? continuation = null;
        for (var page = 1; page < 20; page++)
        {
            var body = await http.GetFromJsonAsync<JsonElement>("api/triage/tips?pageSize=25" + (continuation is null ? "" : "&continuation=" + Uri.EscapeDataString(continuation)));
            ids.AddRange(body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!));
            continuation = body.GetProperty("continuation").GetString() ?? throw new InvalidOperationException("Fewer than 20 pages.");
        }

        var pageTwenty = Uri.EscapeDataString(continuation!);
        var random = new Random(n);
        var word = Uri.EscapeDataString("남편");
        var place = Uri.EscapeDataString("图们");
        Read[] reads =
        [
            new("first page (all queues)", c => c.GetAsync("api/triage/tips")),
            new("filtered page (queue detention, status new)", c => c.GetAsync("api/triage/tips?queue=detention&status=new")),
            new("page 20", c => c.GetAsync("api/triage/tips?pageSize=25&continuation=" + pageTwenty)),
            new("counts", c => c.GetAsync("api/triage/counts")),
            new("overdue", c => c.GetAsync("api/triage/overdue")),
            new("search: a Korean word (남편)", c => c.GetAsync("api/triage/search?q=" + word)),
            new("search: a place in Chinese (图们) + status new", c => c.GetAsync("api/triage/search?status=new&q=" + place)),
            new("one tip (random)", c => c.GetAsync("api/triage/tips/" + ids[random.Next(ids.Count)])),
        ];

        var latencies = reads.ToDictionary(r => r.Name, _ => new List<double>());
        for (var round = -5; round < samples; round++)
        {
            foreach (var read in reads)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await read.Send(http);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{read.Name}: {(int)response.StatusCode}");
                }

                var items = await response.Content.ReadAsStringAsync();
                if (round == 0 && !items.Contains("\"id\"", StringComparison.Ordinal) && !items.Contains("\"count\"", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{read.Name} answered nothing: {items[..Math.Min(200, items.Length)]}");
                }

                if (round >= 0)
                {
                    latencies[read.Name].Add(ms);
                }
            }
        }

        return latencies.ToDictionary(p => p.Key, p => p.Value.Order().ToArray());
    }

    /// <summary>
    /// The local host as a child process: its queue functions on (batch 32, threshold 16, to seed faster), flood
    /// control out of the way, Information logs off, and overdue after one second so that the overdue view is full.
    /// </summary>
    private static Task<ChildServer> StartHostAsync(string connection, string keyFolder, IEnumerable<string> extra) =>
        ChildServer.StartAsync("serve-intake",
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Development",
            $"--{StorageNames.Connection}={connection}",
            $"--LocalDevelopmentKey:Folder={keyFolder}",
            $"--Intake:ReceiptSalt={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            $"--Triage:IndexKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--Triage:OverdueAfter=00:00:01",
            "--FloodControl:QuietRatePerMinute=1000000",
            "--FloodControl:MaxSubmissionsPerSecond=10000",
            "--FloodControl:SubmissionBurst=100000",
            "--FloodControl:MaxSpentChallenges=10000000",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:TipIntake=Warning",
            "--AzureFunctionsJobHost:extensions:queues:batchSize=32",
            "--AzureFunctionsJobHost:extensions:queues:newBatchThreshold=16",
            .. extra,
        ]);

    private static async Task<int> CountAsync(TableClient table)
    {
        var count = 0;
        await foreach (var page in table.QueryAsync<TableEntity>(select: ["PartitionKey"], maxPerPage: 1000).AsPages())
        {
            count += page.Values.Count;
        }

        return count;
    }

    /// <summary>
    /// Holds an exclusive flock(2) on <paramref name="path"/> (as <c>flock path …</c> takes it; .NET takes one for
    /// <see cref="FileShare.None"/>) so that another benchmark that takes the same lock does not run while reads are timed.
    /// </summary>
    private static async Task<IAsyncDisposable> ExclusiveLockAsync(string? path)
    {
        if (path is null)
        {
            return new MemoryStream();
        }

        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                Console.WriteLine(string.Create(Inv, $"  lock {path} taken after {waited.Elapsed.TotalSeconds:F0} s"));
                return held;
            }
            catch (IOException)
            {
                await Task.Delay(1000);
            }
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
