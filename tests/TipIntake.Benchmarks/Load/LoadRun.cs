using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TipIntake.Infrastructure.Storage;
using TipIntake.LocalHost.Azurite;

namespace TipIntake.Benchmarks.Load;

/// <summary>
/// <c>load</c>: one Azurite; intake (local host, child process) vs the floor endpoint (child process) at each
/// concurrency; the processing drain (local host's queue functions, and the processor in one process) vs a raw SDK
/// loop; optionally a memory soak.
/// </summary>
public static class LoadRun
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private const string HostDrain = "local host ProcessTip (host.json)";
    private const string TunedDrain = "local host ProcessTip (batchSize 32, newBatchThreshold 16)";
    private const string CoreDrain = "the processor in one process (host.json)";

    /// <summary>One round of drains of one size: each contender on its own fresh Azurite.</summary>
    private sealed record DrainRound(DrainResult Host, DrainResult Tuned, DrainResult Core, DrainResult Floor);

    public sealed record Settings(
        TimeSpan Duration, int[] Connections, int[] DrainSizes, int MaxRequests, bool Soak, TimeSpan SoakDuration, string? Output, string[] HostArgs,
        TimeSpan SoakAfter, TimeSpan SoakHold, int DrainRounds, TimeSpan WarmUp, int DrainWarmUp, bool DrainSameBodies)
    {
        public static Settings Parse(string[] args)
        {
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            int[] Ints(string name, int[] fallback) =>
                Value(name)?.Split(',').Select(v => int.Parse(v, Inv)).ToArray() ?? fallback;
            var soakOnly = args.Contains("--soak-only");
            var drainOnly = args.Contains("--drain-only");
            return new Settings(
                TimeSpan.FromSeconds(int.Parse(Value("--duration") ?? "15", Inv)),
                soakOnly || drainOnly ? [] : Ints("--connections", [16, 64]),
                soakOnly ? [] : Ints("--drain", [500, 2000]),
                int.Parse(Value("--max-requests") ?? "200000", Inv),
                soakOnly || args.Contains("--soak"),
                TimeSpan.FromMinutes(double.Parse(Value("--soak-minutes") ?? "5", Inv)),
                Value("--out"),
                Value("--host-args")?.Split(';', StringSplitOptions.RemoveEmptyEntries) ?? [],
                TimeSpan.FromSeconds(int.Parse(Value("--soak-after") ?? "330", Inv)),
                TimeSpan.FromSeconds(int.Parse(Value("--soak-hold") ?? "0", Inv)),
                int.Parse(Value("--drain-rounds") ?? "3", Inv),
                TimeSpan.FromSeconds(int.Parse(Value("--warm-up") ?? "10", Inv)),
                int.Parse(Value("--drain-warm-up") ?? "300", Inv),
                args.Contains("--drain-same-bodies"));
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Contains("--triage"))
        {
            return await Triage.TriageRun.RunAsync(args);
        }

        var settings = Settings.Parse(args);
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        string[] accounts = ["benchintake", "benchfloor"];
        var keyFolder = Path.Combine(Path.GetTempPath(), $"tipintake-bench-{Environment.ProcessId}");
        Say($"# TipIntake load run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {Environment.ProcessorCount} logical CPUs, {Environment.OSVersion}, .NET {Environment.Version}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Say($"Settings: {settings.WarmUp.TotalSeconds} s warm-up of each server, {settings.Duration.TotalSeconds} s per load point, ≤ {settings.MaxRequests} requests per point, connections {string.Join("/", settings.Connections)}, drains {string.Join("/", settings.DrainSizes)} after {settings.DrainWarmUp} warm-up tips per drainer");

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
            using var azuriteProcess = System.Diagnostics.Process.GetProcessById(azurite.ProcessId);
            using var floorHttp = LoadGenerator.Client(floor.BaseAddress, connections);
            using var intakeHttp = LoadGenerator.Client(intake.BaseAddress, connections);

            // Warm-up: JIT, connection pools, Azurite. Long enough for both processes of the local host to have compiled
            // their hot paths (tiered compilation, with PGO, recompiles each hot method after ~30 calls and a delay):
            // 2 s left most of the intake's JIT in the measured point on a busy machine, while the floor — one small
            // process — was warm (docs/benchmarks.md, "Two processes"). The JIT CPU left in each point is printed.
            var warmUpRequests = (int)(settings.WarmUp.TotalSeconds * 1_000);
            await LoadGenerator.RunAsync("warm-up", floorHttp, floor, "floor", bodies, "application/jose", connections, settings.WarmUp, warmUpRequests, null);
            var intakeWarmUp = await LoadGenerator.RunAsync("warm-up", intakeHttp, intake, "api/tips", bodies, "application/jose", connections, settings.WarmUp, warmUpRequests,
                await LoadGenerator.FetchChallengesAsync(intakeHttp, Math.Min(warmUpRequests, 5_000), connections));

            // ABBA (floor, intake, intake, floor), each half the point's duration, so that drift in Azurite or in the
            // machine's other load falls on both alike; each side's figures are its two halves merged.
            var half = settings.Duration / 2;
            var floor1 = await LoadGenerator.RunAsync("floor", floorHttp, floor, "floor", bodies, "application/jose", connections, half, settings.MaxRequests / 2, null, azuriteProcess);
            // Enough stamps for the intake's two halves even when it outruns the estimate: a stamp fetched inline during
            // the point would count a GET's time and CPU against the POSTs.
            var estimate = Math.Max(floor1.RequestsPerSecond, intakeWarmUp.RequestsPerSecond);
            var wanted = (int)Math.Min(settings.MaxRequests, (estimate * settings.Duration.TotalSeconds * 1.5) + 2_000);
            var stamps = await LoadGenerator.FetchChallengesAsync(intakeHttp, wanted, connections);
            await Task.Delay(1_000);
            var intake1 = await LoadGenerator.RunAsync("intake", intakeHttp, intake, "api/tips", bodies, "application/jose", connections, half, settings.MaxRequests / 2, stamps, azuriteProcess);
            var intake2 = await LoadGenerator.RunAsync("intake", intakeHttp, intake, "api/tips", bodies, "application/jose", connections, half, settings.MaxRequests / 2, stamps, azuriteProcess);
            var floor2 = await LoadGenerator.RunAsync("floor", floorHttp, floor, "floor", bodies, "application/jose", connections, half, settings.MaxRequests / 2, null, azuriteProcess);
            var floorResult = LoadResult.Merge(floor1, floor2);
            var intakeResult = LoadResult.Merge(intake1, intake2);
            loads.Add((floorResult, intakeResult));
            // Both lanes: a stamp below the suggested effort (which can sit a bit above the floor of 0 at these rates) is
            // accepted into the bulk lane (docs/flood-control.md).
            var queued = 0;
            foreach (var lane in (string[])[StorageNames.InboundQueue, StorageNames.BulkQueue])
            {
                queued += (await new Azure.Storage.Queues.QueueClient(azurite.ConnectionString("benchintake"), lane).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            }

            Say(string.Create(Inv, $"{connections} connections: halves floor {floor1.RequestsPerSecond:F0} / {floor2.RequestsPerSecond:F0}, intake {intake1.RequestsPerSecond:F0} / {intake2.RequestsPerSecond:F0} req/s; intake queues (main + bulk) hold {queued} (warm-up + measured accepted: {intakeWarmUp.Accepted + intakeResult.Accepted}; ProcessTip disabled); VmHWM floor {Mb(floor.PeakRss())}, intake {Mb(intake.PeakRss())}."));
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
        Say("| Connections | Intake/floor req/s (target ≥ 0.8) | Intake p99 / floor p99 (target ≤ 2) | Intake CPU/floor CPU per request | Host hop CPU ms/req (of which, not in the worker) | JIT share of CPU: intake / floor | Azurite CPU ms/req: intake / floor |");
        Say("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (f, i) in loads)
        {
            Say(string.Create(Inv, $"| {f.Connections} | {i.RequestsPerSecond / f.RequestsPerSecond:F2} | {i.Percentile(99) / f.Percentile(99):F2} | {i.CpuMsPerRequest / f.CpuMsPerRequest:F2} | {i.HopCpuMsPerRequest:F3} of {i.CpuMsPerRequest:F3} | {i.JitShare:P0} / {f.JitShare:P0} | {i.AzuriteCpuMsPerRequest:F3} / {f.AzuriteCpuMsPerRequest:F3} |"));
        }

        Say("");
        Say("Latency histograms (ms bucket: count):");
        foreach (var (f, i) in loads)
        {
            Say($"- {f.Connections} floor: {f.Histogram()}");
            Say($"- {i.Connections} intake: {i.Histogram()} (challenges fetched inline: {i.InlineChallenges})");
        }

        // Each drain gets a fresh Azurite: its queue slows as deleted messages pile up and stalls while it cleans them
        // up, which would otherwise fall on whichever contender runs last.
        // Repeated (floor, core, host, tuned; floor, core, host, tuned; …) so that a burst of other work on the machine shows as one
        // outlying round instead of deciding the verdict: the summary takes the median of the rounds' ratios.
        // Distinct tips for the drains, as reports are (the intake's 32 in rotation are alike in all but a number: to the
        // triage index's related reports every one of them is the same place in the same weeks as every other).
        var drainBodies = bodies;
        if (!settings.DrainSameBodies && settings.DrainSizes.Length > 0)
        {
            drainBodies = [];
            for (var i = 0; i < settings.DrainWarmUp + settings.DrainSizes.Max(); i++)
            {
                drainBodies.Add(await TipFactory.JweAsync(key, TipFactory.VariedTipJson(2 * 1024, i)));
            }

            Say($"Drain bodies: {drainBodies.Count} distinct valid tips of about 2 KB (random category, urgency, gazetteer place, weeks within the last year; Zipf-distributed words).");
        }

        var drains = new List<DrainRound>();
        foreach (var n in settings.DrainSizes.SelectMany(n => Enumerable.Repeat(n, settings.DrainRounds)))
        {
            var floorResult = await DrainAsync("raw SDK loop (receive 32, all 32 concurrently)", $"drainfloor{n}", connectionString =>
                ChildServer.StartAsync("serve-drain-floor", [connectionString, keyFolder, (settings.DrainWarmUp + n).ToString(Inv)]));

            // The product's processor with the worker's settings and host.json's batch, in one process without any
            // Functions hosting: what the local host costs beyond it is the two-process hosting alone. With the
            // worker's garbage collector too: the Functions app does not ask for Server GC, which this harness (and so
            // each of its child processes, the local host's own included) does.
            var coreResult = await DrainAsync(CoreDrain, $"draincore{n}", connectionString =>
                ChildServer.StartAsync("serve-drain-core", [.. AppSettings(connectionString, keyFolder), .. settings.HostArgs],
                    new Dictionary<string, string?> { ["DOTNET_gcServer"] = "0" }));

            // The local host as host.json configures it, then with the queue batch raised to the floor's 32 (+16).
            var hostResult = await DrainAsync(HostDrain, $"drainhost{n}", connectionString =>
                StartIntakeAsync(connectionString, keyFolder, processQueue: true, settings.HostArgs));
            var tunedResult = await DrainAsync(TunedDrain, $"draintuned{n}", connectionString =>
                StartIntakeAsync(connectionString, keyFolder, processQueue: true,
                    [.. settings.HostArgs, "--AzureFunctionsJobHost:extensions:queues:batchSize=32", "--AzureFunctionsJobHost:extensions:queues:newBatchThreshold=16"]));
            drains.Add(new DrainRound(hostResult, tunedResult, coreResult, floorResult));
            Console.WriteLine(string.Create(Inv, $"  drain {n}: host {hostResult.TipsPerSecond:F0}, tuned {tunedResult.TipsPerSecond:F0}, in one process {coreResult.TipsPerSecond:F0}, floor {floorResult.TipsPerSecond:F0} tips/s"));

            async Task<DrainResult> DrainAsync(string name, string account, Func<string, Task<ChildServer>> startDrainer)
            {
                await using var azurite = await AzuriteProcess.StartAsync([account], location: null);
                var connectionString = azurite.ConnectionString(account);
                return await Drain.MeasureAsync(name, connectionString, azurite.ProcessId, drainBodies, settings.DrainWarmUp, n, TimeSpan.FromMinutes(5), () => startDrainer(connectionString));
            }
        }

        Say("");
        Say("## Processing: pre-filled tips-inbound drained into Tips");
        Say("");
        Say("| N | Drainer | Stored | Quarantined | Time to drain s | Tips/s | ÷ floor (target ≥ 0.8) | Second half tips/s | ÷ floor | Drainer CPU ms/tip | Azurite CPU ms/tip |");
        Say("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (h, t, c, f) in drains)
        {
            foreach (var r in new[] { h, t, c, f })
            {
                Say(string.Create(Inv, $"| {r.Tips} | {r.Name} | {r.Stored} | {r.Quarantined} | {r.TimeToDrainText(Inv)} | {r.TipsPerSecond:F0} | {r.TipsPerSecond / f.TipsPerSecond:F2} | {r.SecondHalfTipsPerSecond:F0} | {r.SecondHalfTipsPerSecond / f.SecondHalfTipsPerSecond:F2} | {r.CpuMsPerTip:F2} | {r.AzuriteCpuMsPerTip:F2} |"));
            }
        }

        string ToFloor(Func<DrainRound, DrainResult> pick, List<DrainRound> rounds) => string.Create(Inv,
            $"{Median(rounds.Select(d => pick(d).TipsPerSecond / d.Floor.TipsPerSecond)):F2} | {Median(rounds.Select(d => pick(d).SecondHalfTipsPerSecond / d.Floor.SecondHalfTipsPerSecond)):F2} | {Median(rounds.Select(d => pick(d).CpuMsPerTip / d.Floor.CpuMsPerTip)):F2} | {Median(rounds.Select(d => pick(d).AzuriteCpuMsPerTip / d.Floor.AzuriteCpuMsPerTip)):F2} | {Median(rounds.Select(d => pick(d).HopCpuMsPerTip)):F2} of {Median(rounds.Select(d => pick(d).CpuMsPerTip)):F2}");
        SayMedians(Say, drains, settings.DrainSizes, $"Median over {settings.DrainRounds} rounds of each round's ratio to its own floor:",
            ["Drainer", "Tips/s ÷ floor (target ≥ 0.8)", "Second half ÷ floor", "Drainer CPU per tip ÷ floor", "Azurite CPU per tip ÷ floor", "Host hop CPU ms/tip (of drainer ms/tip)"],
            [(HostDrain, rounds => ToFloor(d => d.Host, rounds)), (TunedDrain, rounds => ToFloor(d => d.Tuned, rounds))]);

        // The gap split in two by the processor in one process: the local host (host.json) ÷ it is what the two-process
        // hosting costs (the same code, settings and batch), it ÷ the floor what the product's own work costs beyond
        // the floor's (docs/benchmarks.md, "Method").
        string Split(Func<DrainRound, DrainResult> top, Func<DrainRound, DrainResult> bottom, List<DrainRound> rounds)
        {
            double Ratio(Func<DrainResult, double> of) => Median(rounds.Select(d => of(top(d)) / of(bottom(d))));
            double Each(Func<DrainRound, DrainResult> pick, Func<DrainResult, double> of) => Median(rounds.Select(d => of(pick(d))));
            return string.Create(Inv, $"{Ratio(r => r.TipsPerSecond):F2} | {Ratio(r => r.SecondHalfTipsPerSecond):F2} | {Ratio(r => r.CpuMsPerTip):F2} | {Ratio(r => r.AzuriteCpuMsPerTip):F2} | {Each(top, r => r.CpuMsPerTip):F2} / {Each(bottom, r => r.CpuMsPerTip):F2} | {Each(top, r => r.AzuriteCpuMsPerTip):F2} / {Each(bottom, r => r.AzuriteCpuMsPerTip):F2}");
        }

        SayMedians(Say, drains, settings.DrainSizes,
            $"Where the gap is, median over {settings.DrainRounds} rounds of each round's ratio: the local host ÷ the processor in one process (the two-process hosting alone), the processor in one process ÷ the floor (the product's work alone):",
            ["Ratio", "Tips/s", "Second half", "Drainer CPU per tip", "Azurite CPU per tip", "Drainer CPU ms/tip (each)", "Azurite CPU ms/tip (each)"],
            [("local host (host.json) ÷ processor in one process", rounds => Split(d => d.Host, d => d.Core, rounds)),
             ("processor in one process ÷ floor", rounds => Split(d => d.Core, d => d.Floor, rounds))]);

        if (settings.Soak)
        {
            LoadResult intakeSoak;
            await using (var soakAzurite = await AzuriteProcess.StartAsync(["benchsoak"], location: null))
            {
                intakeSoak = await SoakAsync(soakAzurite.ConnectionString("benchsoak"), keyFolder, bodies, settings, Say);
            }

            await FloorSoakAsync(intakeSoak, bodies, settings, Say);
        }

        if (settings.Output is not null)
        {
            await File.WriteAllTextAsync(settings.Output, report.ToString());
        }

        Directory.Delete(keyFolder, recursive: true);
        return 0;
    }

    private static async Task<LoadResult> SoakAsync(string connectionString, string keyFolder, List<string> bodies, Settings settings, Action<string> say)
    {
        await using var intake = await StartIntakeAsync(connectionString, keyFolder, processQueue: false);
        using var http = LoadGenerator.Client(intake.BaseAddress, 16);
        await LoadGenerator.RunAsync("warm-up", http, intake, "api/tips", bodies, "application/jose", 16, TimeSpan.FromSeconds(3), 2_000,
            await LoadGenerator.FetchChallengesAsync(http, 2_000, 16));
        await Task.Delay(TimeSpan.FromSeconds(5));
        var baseline = intake.Rss();
        Console.WriteLine($"  soak: intake pid {intake.ProcessId}, baseline RSS {Mb(baseline)}");

        var readings = new List<string> { $"baseline {Breakdown(intake)}" };

        // RSS every 30 s during the load: a plateau means no per-request growth; a steady climb would be a leak.
        using var stopTrace = new CancellationTokenSource();
        var trace = Task.Run(async () =>
        {
            var points = new List<string>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!stopTrace.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), stopTrace.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                points.Add(string.Create(Inv, $"{clock.Elapsed.TotalSeconds:F0} s {Mb(intake.Rss())}"));
            }

            return points;
        });

        // Stamps fetched inline (GET /api/challenge then POST), as a real client does, for the whole soak.
        var result = await LoadGenerator.RunAsync("soak", http, intake, "api/tips", bodies, "application/jose", 16, settings.SoakDuration, 5_000_000, new ConcurrentQueue<string>());
        var atEnd = intake.Rss();
        await stopTrace.CancelAsync();
        var during = await trace;
        readings.Add($"end of load {Breakdown(intake)}");
        await Task.Delay(TimeSpan.FromSeconds(30));
        var after30 = intake.Rss();
        readings.Add($"30 s after {Breakdown(intake)}");

        // The spent-challenge set keeps each nonce until its challenge expires (5 minutes after it was fetched): the
        // memory can only be given back after that, so the second reading is taken past the lifetime.
        await Task.Delay(settings.SoakAfter - TimeSpan.FromSeconds(30));
        var afterLifetime = intake.Rss();
        readings.Add($"{settings.SoakAfter.TotalSeconds:F0} s after {Breakdown(intake)}");
        if (settings.SoakHold > TimeSpan.Zero)
        {
            // Time to look at the process from outside (dotnet-counters, dotnet-gcdump — which induces a full GC) before
            // it is stopped; what that changed shows in the last reading.
            Console.WriteLine($"  soak: holding intake pid {intake.ProcessId} for {settings.SoakHold.TotalSeconds:F0} s");
            await Task.Delay(settings.SoakHold);
            readings.Add($"after a further {settings.SoakHold.TotalSeconds:F0} s hold {Breakdown(intake)}");
        }
        say("");
        say($"## Memory soak: intake at 16 connections for {settings.SoakDuration.TotalMinutes} min (GET /api/challenge + POST each)");
        say("");
        say($"| Baseline RSS | Peak RSS during | RSS at end of load | RSS 30 s after | RSS {settings.SoakAfter.TotalSeconds:F0} s after | 30 s after ÷ baseline | {settings.SoakAfter.TotalSeconds:F0} s after ÷ baseline (target ≤ 1.10) | Accepted | Errors |");
        say("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        say(string.Create(Inv, $"| {Mb(baseline)} | {Mb(result.PeakRssDuring)} | {Mb(atEnd)} | {Mb(after30)} | {Mb(afterLifetime)} | {(double)after30 / baseline:F2} | {(double)afterLifetime / baseline:F2} | {result.Accepted} | {result.Errors}{(result.Errors > 0 ? " (" + result.ErrorSummary + ")" : "")} |"));
        say("");
        say("RSS every 30 s during the load: " + string.Join(", ", during) + ".");
        say("");
        say("RSS by kind (anonymous: GC heap, native allocations, JIT code, stacks; file: mapped assemblies and libraries): " + string.Join("; ", readings) + ".");
        return result;
    }

    /// <summary>
    /// The floor under the soak's load: a fresh Azurite, the bare endpoint, as many messages as the intake queued, at 16
    /// connections. Whatever errors it meets come from Azurite's growing backlog, not from the intake's code.
    /// </summary>
    private static async Task FloorSoakAsync(LoadResult intakeSoak, List<string> bodies, Settings settings, Action<string> say)
    {
        await using var azurite = await AzuriteProcess.StartAsync(["benchfloorsoak"], location: null);
        await using var floor = await ChildServer.StartAsync("serve-floor", [azurite.ConnectionString("benchfloorsoak"), StorageNames.InboundQueue]);
        using var http = LoadGenerator.Client(floor.BaseAddress, 16);
        var result = await LoadGenerator.RunAsync(
            "floor soak", http, floor, "floor", bodies, "application/jose", 16, settings.SoakDuration * 2, (int)intakeSoak.Accepted, null);
        say("");
        say(string.Create(Inv, $"Floor under the same load (fresh Azurite, the bare endpoint, {result.Accepted} messages queued at 16 connections in {result.Elapsed.TotalSeconds:F0} s; the intake queued {intakeSoak.Accepted} in {intakeSoak.Elapsed.TotalSeconds:F0} s): {result.Errors} errors{(result.Errors > 0 ? " (" + result.ErrorSummary + ")" : "")}; intake: {intakeSoak.Errors}."));
    }

    /// <summary>A table of medians over each size's rounds: one row per named drainer or ratio, its cells from the rounds.</summary>
    private static void SayMedians(
        Action<string> say, List<DrainRound> drains, int[] sizes, string intro, string[] columns, (string Name, Func<List<DrainRound>, string> Cells)[] rows)
    {
        say("");
        say(intro);
        say("");
        say($"| N | {string.Join(" | ", columns)} |");
        say("|---:|---|" + string.Concat(Enumerable.Repeat("---:|", columns.Length - 1)));
        foreach (var n in sizes)
        {
            var rounds = drains.Where(d => d.Floor.Tips == n).ToList();
            foreach (var (name, cells) in rows)
            {
                say(string.Create(Inv, $"| {n} | {name} | {cells(rounds)} |"));
            }
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Breakdown(ChildServer server) =>
        $"{Mb(server.Rss())} = anon {Mb(server.Status("RssAnon:"))} + file {Mb(server.Status("RssFile:"))} + shmem {Mb(server.Status("RssShmem:"))}";

    /// <summary>
    /// The local host as a child process, with flood control's work out of the way (the floor held at 0: this measures
    /// the intake's own cost) and Information logs of every submission turned down to Warning.
    /// </summary>
    private static Task<ChildServer> StartIntakeAsync(string connectionString, string keyFolder, bool processQueue, IEnumerable<string>? extra = null)
    {
        List<string> args = ["--urls", "http://127.0.0.1:0", .. AppSettings(connectionString, keyFolder)];
        args.AddRange(extra ?? []);
        if (!processQueue)
        {
            args.Add("--AzureWebJobs.ProcessTip.Disabled=true");
            args.Add("--AzureWebJobs.QuarantinePoison.Disabled=true");
            args.Add("--AzureWebJobs.ProcessBulkTip.Disabled=true");
            args.Add("--AzureWebJobs.QuarantineBulkPoison.Disabled=true");
        }

        return ChildServer.StartAsync("serve-intake", args);
    }

    /// <summary>
    /// The settings the benchmark gives the app: the local host passes them on to its worker as environment variables
    /// (<c>--environment</c> as the worker's environment name; docs/architecture.md, "Local host"), and the processor
    /// in one process takes them as they are.
    /// </summary>
    private static List<string> AppSettings(string connectionString, string keyFolder) =>
        [
            "--environment", "Development",
            $"--{StorageNames.Connection}={connectionString}",
            $"--LocalDevelopmentKey:Folder={keyFolder}",
            $"--Intake:ReceiptPepper={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--FloodControl:MaxFloor=0",
            "--FloodControl:MaxSpentChallenges=10000000",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:TipIntake=Warning",
        ];

    private static string Mb(long bytes) => string.Create(Inv, $"{bytes / 1024.0 / 1024.0:F0} MB");
}
