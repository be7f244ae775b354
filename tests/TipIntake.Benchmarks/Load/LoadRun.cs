using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TipIntake.Infrastructure.Storage;
using TipIntake.LocalHost.Azurite;

namespace TipIntake.Benchmarks.Load;

/// <summary>
/// <c>load</c>: one Azurite; intake (local host, child process) vs the floor endpoint (child process) at each
/// concurrency; the processing drain (local host's queue functions) vs a raw SDK loop; optionally a memory soak.
/// </summary>
public static class LoadRun
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public sealed record Settings(TimeSpan Duration, int[] Connections, int[] DrainSizes, int MaxRequests, bool Soak, TimeSpan SoakDuration, string? Output)
    {
        public static Settings Parse(string[] args)
        {
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            int[] Ints(string name, int[] fallback) =>
                Value(name)?.Split(',').Select(v => int.Parse(v, Inv)).ToArray() ?? fallback;
            var soakOnly = args.Contains("--soak-only");
            return new Settings(
                TimeSpan.FromSeconds(int.Parse(Value("--duration") ?? "15", Inv)),
                soakOnly ? [] : Ints("--connections", [16, 64]),
                soakOnly ? [] : Ints("--drain", [500, 2000]),
                int.Parse(Value("--max-requests") ?? "200000", Inv),
                soakOnly || args.Contains("--soak"),
                TimeSpan.FromMinutes(double.Parse(Value("--soak-minutes") ?? "5", Inv)),
                Value("--out"));
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Settings.Parse(args);
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        string[] accounts = ["benchintake", "benchfloor", "benchsoak", .. settings.DrainSizes.SelectMany(n => new[] { $"drainhost{n}", $"draintuned{n}", $"drainfloor{n}" })];
        var keyFolder = Path.Combine(Path.GetTempPath(), $"tipintake-bench-{Environment.ProcessId}");
        Say($"# TipIntake load run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {Environment.ProcessorCount} logical CPUs, {Environment.OSVersion}, .NET {Environment.Version}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Say($"Settings: {settings.Duration.TotalSeconds} s per load point, ≤ {settings.MaxRequests} requests per point, connections {string.Join("/", settings.Connections)}, drains {string.Join("/", settings.DrainSizes)}");

        using var key = TipFactory.Key(keyFolder);
        var bodies = new List<string>();
        for (var i = 0; i < 32; i++)
        {
            bodies.Add(await TipFactory.JweAsync(key, TipFactory.TipJson(2 * 1024, i)));
        }

        Say($"Body: valid JWE of a 2 KB tip ({bodies[0].Length} characters), 32 distinct bodies in rotation.");
        var loads = new List<(LoadResult Floor, LoadResult Intake)>();
        foreach (var connections in settings.Connections)
        {
            // A fresh Azurite per load point, shared by the floor and the intake: Azurite keeps all messages in memory
            // and slows down as they pile up (nothing drains the queues during the load points).
            await using var azurite = await AzuriteProcess.StartAsync(accounts, location: null);
            await using var floor = await ChildServer.StartAsync("serve-floor", [azurite.ConnectionString("benchfloor"), StorageNames.InboundQueue]);
            await using var intake = await StartIntakeAsync(azurite.ConnectionString("benchintake"), keyFolder, processQueue: false);
            using var floorHttp = LoadGenerator.Client(floor.BaseAddress, connections);
            using var intakeHttp = LoadGenerator.Client(intake.BaseAddress, connections);

            // Warm-up: JIT, connection pools, Azurite.
            await LoadGenerator.RunAsync("warm-up", floorHttp, floor, "floor", bodies, "application/jose", connections, TimeSpan.FromSeconds(2), 5_000, null);
            await LoadGenerator.RunAsync("warm-up", intakeHttp, intake, "api/tips", bodies, "application/jose", connections, TimeSpan.FromSeconds(2), 2_000,
                await LoadGenerator.FetchChallengesAsync(intakeHttp, 2_000, connections));

            // ABBA (floor, intake, intake, floor), each half the point's duration, so that drift in Azurite or in the
            // machine's other load falls on both alike; each side's figures are its two halves merged.
            var half = settings.Duration / 2;
            var floor1 = await LoadGenerator.RunAsync("floor", floorHttp, floor, "floor", bodies, "application/jose", connections, half, settings.MaxRequests / 2, null);
            var wanted = (int)Math.Min(settings.MaxRequests, (floor1.RequestsPerSecond * settings.Duration.TotalSeconds * 1.2) + 2_000);
            var stamps = await LoadGenerator.FetchChallengesAsync(intakeHttp, wanted, connections);
            await Task.Delay(1_000);
            var intake1 = await LoadGenerator.RunAsync("intake", intakeHttp, intake, "api/tips", bodies, "application/jose", connections, half, settings.MaxRequests / 2, stamps);
            var intake2 = await LoadGenerator.RunAsync("intake", intakeHttp, intake, "api/tips", bodies, "application/jose", connections, half, settings.MaxRequests / 2, stamps);
            var floor2 = await LoadGenerator.RunAsync("floor", floorHttp, floor, "floor", bodies, "application/jose", connections, half, settings.MaxRequests / 2, null);
            var floorResult = LoadResult.Merge(floor1, floor2);
            var intakeResult = LoadResult.Merge(intake1, intake2);
            loads.Add((floorResult, intakeResult));
            var queued = (await Drain.Inbound(azurite.ConnectionString("benchintake")).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            Say(string.Create(Inv, $"{connections} connections: halves floor {floor1.RequestsPerSecond:F0} / {floor2.RequestsPerSecond:F0}, intake {intake1.RequestsPerSecond:F0} / {intake2.RequestsPerSecond:F0} req/s; intake queue holds {queued} (warm-up + measured accepted: {2_000 + intakeResult.Accepted}; ProcessTip disabled); VmHWM floor {Mb(floor.PeakRss())}, intake {Mb(intake.PeakRss())}."));
        }

        Say("");
        Say("## Intake: POST /api/tips (local host) vs the floor (bare endpoint → QueueClient.SendMessageAsync), same Azurite");
        Say("");
        Say("| Connections | Server | Accepted/s | p50 ms | p99 ms | max ms | Errors | Server CPU ms/req | Peak RSS during |");
        Say("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (f, i) in loads)
        {
            foreach (var r in new[] { f, i })
            {
                Say(string.Create(Inv, $"| {r.Connections} | {r.Name} | {r.RequestsPerSecond:F0} | {r.Percentile(50):F2} | {r.Percentile(99):F2} | {r.LatencyMs.LastOrDefault():F1} | {r.Errors}{(r.Errors > 0 ? " (" + r.ErrorSummary + ")" : "")} | {r.CpuMsPerRequest:F3} | {Mb(r.PeakRssDuring)} |"));
            }
        }

        Say("");
        Say("| Connections | Intake/floor req/s (target ≥ 0.8) | Intake p99 / floor p99 (target ≤ 2) | Intake CPU/floor CPU per request |");
        Say("|---:|---:|---:|---:|");
        foreach (var (f, i) in loads)
        {
            Say(string.Create(Inv, $"| {f.Connections} | {i.RequestsPerSecond / f.RequestsPerSecond:F2} | {i.Percentile(99) / f.Percentile(99):F2} | {i.CpuMsPerRequest / f.CpuMsPerRequest:F2} |"));
        }

        Say("");
        Say("Latency histograms (ms bucket: count):");
        foreach (var (f, i) in loads)
        {
            Say($"- {f.Connections} floor: {f.Histogram()}");
            Say($"- {i.Connections} intake: {i.Histogram()} (challenges fetched inline: {i.InlineChallenges})");
        }

        var drains = new List<(DrainResult Host, DrainResult Tuned, DrainResult Floor)>();
        await using var drainAzurite = await AzuriteProcess.StartAsync(accounts, location: null);
        foreach (var n in settings.DrainSizes)
        {
            // The local host as host.json configures it, then with the queue batch raised to the floor's 32 (+16).
            var hostResult = await HostDrainAsync("local host ProcessTip (host.json: batchSize 16, newBatchThreshold 8)", $"drainhost{n}", []);
            var tunedResult = await HostDrainAsync("local host ProcessTip (batchSize 32, newBatchThreshold 16)", $"draintuned{n}",
                ["--AzureFunctionsJobHost:extensions:queues:batchSize=32", "--AzureFunctionsJobHost:extensions:queues:newBatchThreshold=16"]);
            var floorAccount = drainAzurite.ConnectionString($"drainfloor{n}");
            await Drain.PrefillAsync(floorAccount, bodies, n);
            var floorResult = await Drain.MeasureAsync("raw SDK loop (receive 32, all 32 concurrently)", floorAccount, n, TimeSpan.FromMinutes(5), () =>
                Task.Run(() => Drain.RawLoopAsync(floorAccount, key, n, TimeSpan.FromMinutes(5))));
            drains.Add((hostResult, tunedResult, floorResult));
            Console.WriteLine(string.Create(Inv, $"  drain {n}: host {hostResult.TipsPerSecond:F0}, tuned {tunedResult.TipsPerSecond:F0}, floor {floorResult.TipsPerSecond:F0} tips/s"));

            async Task<DrainResult> HostDrainAsync(string name, string account, string[] extra)
            {
                var connectionString = drainAzurite.ConnectionString(account);
                await Drain.PrefillAsync(connectionString, bodies, n);
                ChildServer? host = null;
                var result = await Drain.MeasureAsync(name, connectionString, n, TimeSpan.FromMinutes(5), async () =>
                    host = await StartIntakeAsync(connectionString, keyFolder, processQueue: true, extra));
                if (host is not null)
                {
                    await host.DisposeAsync();
                }

                return result;
            }
        }

        Say("");
        Say("## Processing: pre-filled tips-inbound drained into Tips");
        Say("");
        Say("| N | Drainer | Stored | Quarantined | Time to drain s | Tips/s | ÷ floor (target ≥ 0.8) |");
        Say("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var (h, t, f) in drains)
        {
            foreach (var r in new[] { h, t, f })
            {
                Say(string.Create(Inv, $"| {r.Tips} | {r.Name} | {r.Stored} | {r.Quarantined} | {r.TimeToDrain.TotalSeconds:F2} | {r.TipsPerSecond:F0} | {r.TipsPerSecond / f.TipsPerSecond:F2} |"));
            }
        }

        if (settings.Soak)
        {
            await SoakAsync(drainAzurite.ConnectionString("benchsoak"), keyFolder, bodies, settings, Say);
        }

        if (settings.Output is not null)
        {
            await File.WriteAllTextAsync(settings.Output, report.ToString());
        }

        Directory.Delete(keyFolder, recursive: true);
        return 0;
    }

    private static async Task SoakAsync(string connectionString, string keyFolder, List<string> bodies, Settings settings, Action<string> say)
    {
        await using var intake = await StartIntakeAsync(connectionString, keyFolder, processQueue: false);
        using var http = LoadGenerator.Client(intake.BaseAddress, 16);
        await LoadGenerator.RunAsync("warm-up", http, intake, "api/tips", bodies, "application/jose", 16, TimeSpan.FromSeconds(3), 2_000,
            await LoadGenerator.FetchChallengesAsync(http, 2_000, 16));
        await Task.Delay(TimeSpan.FromSeconds(5));
        var baseline = intake.Rss();

        // Stamps fetched inline (GET /api/challenge then POST), as a real client does, for the whole soak.
        var result = await LoadGenerator.RunAsync("soak", http, intake, "api/tips", bodies, "application/jose", 16, settings.SoakDuration, 5_000_000, new ConcurrentQueue<string>());
        var atEnd = intake.Rss();
        await Task.Delay(TimeSpan.FromSeconds(30));
        var after = intake.Rss();
        say("");
        say($"## Memory soak: intake at 16 connections for {settings.SoakDuration.TotalMinutes} min (GET /api/challenge + POST each)");
        say("");
        say("| Baseline RSS | Peak RSS during | RSS at end of load | RSS 30 s after | After/baseline (target ≤ 1.10) | Accepted | Errors |");
        say("|---:|---:|---:|---:|---:|---:|---:|");
        say(string.Create(Inv, $"| {Mb(baseline)} | {Mb(result.PeakRssDuring)} | {Mb(atEnd)} | {Mb(after)} | {(double)after / baseline:F2} | {result.Accepted} | {result.Errors}{(result.Errors > 0 ? " (" + result.ErrorSummary + ")" : "")} |"));
    }

    /// <summary>
    /// The local host as a child process, with flood control raised out of the way (difficulty stays 0, buckets never
    /// empty) and Information logs of every submission turned down to Warning.
    /// </summary>
    private static Task<ChildServer> StartIntakeAsync(string connectionString, string keyFolder, bool processQueue, IEnumerable<string>? extra = null)
    {
        List<string> args =
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Development",
            $"--{StorageNames.Connection}={connectionString}",
            $"--LocalDevelopmentKey:Folder={keyFolder}",
            $"--Intake:ReceiptSalt={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--FloodControl:QuietRatePerMinute=1000000",
            "--FloodControl:MaxSubmissionsPerSecond=10000",
            "--FloodControl:SubmissionBurst=100000",
            "--FloodControl:MaxSpentChallenges=10000000",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:TipIntake=Warning",
        ];
        args.AddRange(extra ?? []);
        if (!processQueue)
        {
            args.Add("--AzureWebJobs.ProcessTip.Disabled=true");
            args.Add("--AzureWebJobs.QuarantinePoison.Disabled=true");
        }

        return ChildServer.StartAsync("serve-intake", args);
    }

    private static string Mb(long bytes) => string.Create(Inv, $"{bytes / 1024.0 / 1024.0:F0} MB");
}
