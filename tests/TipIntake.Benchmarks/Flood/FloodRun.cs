using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using TipIntake.Benchmarks.Load;
using TipIntake.Infrastructure.Keys;
using TipIntake.Infrastructure.Storage;
using TipIntake.LocalHost.Azurite;

namespace TipIntake.Benchmarks.Flood;

/// <summary>
/// <c>load --flood</c> (docs/benchmarks.md, "Flood"): for each scenario a fresh Azurite and the local host as a child
/// process with flood control as shipped and Key Vault's budget simulated (<c>Processing:UnwrapsPerSecond=40</c>); an
/// attacker of <c>W</c> workers at full speed on the script path, on the no-script path, or none; a script reporter
/// (the form's stamp client under Node.js) starting a report every 3 s and a no-script reporter every 15 s, each
/// report with a 30-s deadline. Prints how many reports got through in time, how fast, and what the attacker stored.
/// </summary>
public static class FloodRun
{
    private const string Account = "benchflood";
    private const string ScriptQueue = "bench-script";
    private const string FormQueue = "bench-form";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly int[] FloorSamples = [5, 10, 15, 20, 30, 60, 90];

    public enum Attack
    {
        None,
        Script,
        Form,
    }

    public sealed record Settings(
        int Workers, TimeSpan Duration, TimeSpan Interval, TimeSpan FormInterval, TimeSpan Deadline, Attack[] Scenarios, bool Oversized, string? Output, string[] HostArgs)
    {
        public static Settings Parse(string[] args)
        {
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            TimeSpan Seconds(string name, double fallback) => TimeSpan.FromSeconds(double.Parse(Value(name) ?? fallback.ToString(Inv), Inv));
            return new Settings(
                int.Parse(Value("--workers") ?? "16", Inv),
                Seconds("--duration", 120),
                Seconds("--interval", 3),
                Seconds("--form-interval", 15),
                Seconds("--deadline", 30),
                [.. (Value("--scenarios") ?? "none,script,form").Split(',').Select(s => Enum.Parse<Attack>(s, ignoreCase: true))],
                !args.Contains("--no-oversized"),
                Value("--out"),
                Value("--host-args")?.Split(';', StringSplitOptions.RemoveEmptyEntries) ?? []);
        }
    }

    private sealed record ScenarioResult(
        Attack Attack,
        List<ReportResult> Script,
        List<ReportResult> Form,
        TimeSpan AttackSpan,
        long AttackerAccepted,
        long AttackerRequests,
        long AttackerHashes,
        long AttackerStored,
        long MainBacklog,
        long BulkBacklog,
        List<(double At, int Floor, int Suggested)> Floors,
        List<(double At, long Accepted, long Hashes, string Load)> Samples,
        string LoadBefore,
        string LoadAfter);

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Settings.Parse(args);
        ThreadPool.SetMinThreads(64, 64);
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        var keyFolder = Path.Combine(Path.GetTempPath(), $"tipintake-flood-{Environment.ProcessId}");
        using var key = TipFactory.Key(keyFolder);
        var bodies = new List<string>();
        for (var i = 0; i < 64; i++)
        {
            bodies.Add(await TipFactory.JweAsync(key, TipFactory.TipJson(1024, i)));
        }

        Say($"# TipIntake flood run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say($"Machine: {Environment.ProcessorCount} logical CPUs, {Environment.OSVersion}, .NET {Environment.Version}; load average {LoadAverage()}");
        Say(string.Create(Inv, $"Settings: W = {settings.Workers} attacking workers; a script report every {settings.Interval.TotalSeconds} s and a no-script report every {settings.FormInterval.TotalSeconds} s for {settings.Duration.TotalSeconds} s, each with a {settings.Deadline.TotalSeconds}-s deadline; flood control as shipped; Processing:UnwrapsPerSecond=40."));
        var attackerRate = StampAttacker.MeasureHashRate(TimeSpan.FromSeconds(2));
        var reporterRate = await ScriptReporter.MeasureHashRateAsync(TimeSpan.FromSeconds(2));
        Say(string.Create(Inv, $"Hash rate of one thread alone: attacker (.NET SHA-256) {attackerRate / 1e6:F2} M/s, reporter (the form's stamp.js under Node.js) {reporterRate / 1e6:F2} M/s."));

        var results = new List<ScenarioResult>();
        foreach (var attack in settings.Scenarios)
        {
            Console.WriteLine($"  scenario: attack {attack} …");
            results.Add(await RunScenarioAsync(attack, settings, key, keyFolder, bodies));
        }

        Say("");
        Say("## Reporters' reports (accepted = 202 on the script path, the receipt page on the no-script path)");
        Say("");
        Say("| Attack | Reporter | Reports | Accepted ≤ deadline | Median to acceptance s | 90th percentile s | Efforts solved (median / max) | Raised on effort-too-low | Accepted → stored median / max s | Load average during |");
        Say("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            foreach (var (name, reports) in new[] { ("script (stamp.js)", r.Script), ("no-script (form post)", r.Form) })
            {
                Say(string.Create(Inv, $"| {AttackName(r.Attack, settings)} | {name} | {reports.Count} | {Percent(reports, settings.Deadline)} | {Quantile(reports, 0.5, settings.Deadline)} | {Quantile(reports, 0.9, settings.Deadline)} | {Efforts(reports)} | {reports.Sum(x => x.Raised)} | {Stored(reports)} | {r.LoadBefore} → {r.LoadAfter} |"));
            }
        }

        Say("");
        Say("## Attacker");
        Say("");
        Say("| Attack | Span s | Requests/s | Accepted/s | Stored in Tips during the attack /s | Backlog at its end (main / bulk) | Hashes/s (all workers) | Reporter's hashes/s under it | Floor at 5 / 10 / 15 / 20 / 30 / 60 / 90 s | Floor after 30 s (min / median / max) |");
        Say("|---|---:|---:|---:|---:|---:|---:|---:|---|---|");
        foreach (var r in results.Where(r => r.Attack != Attack.None))
        {
            var span = r.AttackSpan.TotalSeconds;
            var steady = r.Floors.Where(f => f.At >= 30 && f.At <= span).Select(f => f.Floor).Order().ToList();
            var reporterHashes = r.Script.Sum(x => x.SolvingMs) > 0 ? r.Script.Sum(x => x.Tried) / (r.Script.Sum(x => x.SolvingMs) / 1000) : double.NaN;
            Say(string.Create(Inv, $"| {AttackName(r.Attack, settings)} | {span:F0} | {r.AttackerRequests / span:F1} | {r.AttackerAccepted / span:F2} | {r.AttackerStored / span:F2} | {r.MainBacklog} / {r.BulkBacklog} | {(r.Attack == Attack.Script ? (r.AttackerHashes / span / 1e6).ToString("F2", Inv) + " M" : "—")} | {reporterHashes / 1e6:F2} M | {string.Join(" / ", FloorSamples.Select(t => t <= span ? FloorAt(r.Floors, t) : "—"))} | {(steady.Count == 0 ? "—" : $"{steady[0]} / {steady[steady.Count / 2]} / {steady[^1]}")} |"));
        }

        Say("");
        Say("Every 5 s of each attack: t s: floor (+ when the suggested effort is one above) / attacker's accepted per second / its hashes per second, M / 1-min load average:");
        foreach (var r in results.Where(r => r.Attack != Attack.None))
        {
            var previous = (At: 0.0, Accepted: 0L, Hashes: 0L, Load: "");
            var points = new List<string>();
            foreach (var sample in r.Samples.Where(x => x.At <= r.AttackSpan.TotalSeconds + 5))
            {
                var seconds = sample.At - previous.At;
                points.Add(string.Create(Inv, $"{sample.At:F0}: {FloorAt(r.Floors, sample.At)}/{(sample.Accepted - previous.Accepted) / seconds:F1}/{(sample.Hashes - previous.Hashes) / seconds / 1e6:F2}/{sample.Load}"));
                previous = sample;
            }

            Say($"- {AttackName(r.Attack, settings)}: {string.Join(", ", points)}");
        }

        Say("");
        Say("Each report: seconds after the run's start it began at → outcome after s (efforts solved; attempts) [refusals its posts met], and when its tip was stored:");
        foreach (var r in results)
        {
            foreach (var (name, reports) in new[] { ("script", r.Script), ("no-script", r.Form) })
            {
                var first = reports.Count == 0 ? DateTimeOffset.MinValue : reports.Min(x => x.StartedAt);
                Say($"- {AttackName(r.Attack, settings)}, {name}: " + string.Join(", ", reports.Select(x => string.Create(Inv,
                    $"{(x.StartedAt - first).TotalSeconds:F0}→{x.Outcome} {x.Elapsed.TotalSeconds:F1}{(x.Efforts.Count > 0 ? $" ({string.Join('>', x.Efforts)}; {x.Attempts})" : $" ({x.Attempts})")}{(x.Refusals is { Count: > 0 } refused ? " [" + string.Join(' ', refused) + "]" : "")}{(x is { AcceptedAt: { } at, StoredAt: { } stored } ? $", stored {Math.Max(0, (stored - at).TotalSeconds):F0} s later" : "")}"))));
            }
        }

        if (settings.Oversized)
        {
            await using var azurite = await AzuriteProcess.StartAsync([Account], location: null);
            await using var host = await StartHostAsync(azurite.ConnectionString(Account), keyFolder, settings.HostArgs);
            var oversized = await OversizedBodies.RunAsync(host);
            Say("");
            Say($"## {OversizedBodies.Parallel} chunked 29 MB posts to /submit at once (finding 3)");
            Say("");
            Say(string.Create(Inv, $"Answers: {string.Join(", ", oversized.Answers.GroupBy(a => a.Status).Select(g => $"{g.Count()} × {g.Key}"))}; written before the answer: {oversized.Answers.Min(a => a.Written) / 1e6:F1}–{oversized.Answers.Max(a => a.Written) / 1e6:F1} MB of 29; in {oversized.Elapsed.TotalSeconds:F1} s. Local host and worker RSS together: {Mb(oversized.BaselineRss)} before, {Mb(oversized.PeakRss)} at most during (sampled every 50 ms), {Mb(oversized.AfterRss)} after; load average {LoadAverage()}."));
        }

        if (settings.Output is not null)
        {
            await File.WriteAllTextAsync(settings.Output, report.ToString());
        }

        Directory.Delete(keyFolder, recursive: true);
        return 0;
    }

    private static async Task<ScenarioResult> RunScenarioAsync(Attack attack, Settings settings, LocalDevelopmentKey key, string keyFolder, List<string> bodies)
    {
        await using var azurite = await AzuriteProcess.StartAsync([Account], location: null);
        var connection = azurite.ConnectionString(Account);
        await using var host = await StartHostAsync(connection, keyFolder, settings.HostArgs);
        using var monitorHttp = FloodClients.Create(host.BaseAddress, 4);

        // Warm-up: the first request of each kind pays JIT and storage set-up.
        _ = FloodClients.GetJson(monitorHttp, "api/challenge", CancellationToken.None);
        _ = await monitorHttp.GetStringAsync(new Uri("/?lang=en", UriKind.Relative));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var scriptCount = (int)(settings.Duration / settings.Interval);
        var formCount = Math.Max(1, (int)(settings.Duration / settings.FormInterval));
        var scriptReports = new List<(string Marker, string Jwe)>();
        for (var i = 0; i < scriptCount; i++)
        {
            var marker = $"S{i:D3}X{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}";
            scriptReports.Add((marker, await TipFactory.JweAsync(key, TipFactory.TipJson(1024, i, "trafficking", "imminent", $"Script reporter {marker}. "))));
        }

        var formMarkers = Enumerable.Range(0, formCount).Select(i => $"F{i:D3}X{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}").ToList();
        var loadBefore = LoadAverage();

        using var stop = new CancellationTokenSource();
        var t0 = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var floors = new List<(double At, int Floor, int Suggested)>();
        var stored = new System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        using var stampAttacker = attack == Attack.Script ? new StampAttacker(host.BaseAddress, bodies, settings.Workers) : null;
        using var formAttacker = attack == Attack.Form ? new FormAttacker(host.BaseAddress, settings.Workers) : null;
        var samples = new List<(double At, long Accepted, long Hashes, string Load)>();
        var monitor = MonitorAsync(monitorHttp, connection, clock, floors, stored, stop.Token);
        var sampler = SampleAsync(clock, samples, () => (stampAttacker?.Accepted ?? formAttacker?.Accepted ?? 0, stampAttacker?.Hashes ?? 0), stop.Token);
        stampAttacker?.Start();
        formAttacker?.Start();

        var firstAt = t0 + TimeSpan.FromSeconds(2);
        var script = ScriptReporter.RunAsync(host.BaseAddress, scriptReports, settings.Interval, settings.Deadline, firstAt, CancellationToken.None);
        var form = FormReporter.RunAsync(host.BaseAddress, formMarkers, settings.FormInterval, settings.Deadline, firstAt + TimeSpan.FromSeconds(1), CancellationToken.None);
        var scriptResults = await script;
        var formResults = await form;

        stampAttacker?.Stop();
        formAttacker?.Stop();
        var span = clock.Elapsed;
        var loadAfter = LoadAverage();
        var attackerStored = await CountAsync(connection, "general");
        var main = (await Queue(connection, StorageNames.InboundQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var bulk = (await Queue(connection, StorageNames.BulkQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

        // The reporters' tips, once processed: how long after acceptance each was stored (the lanes at work).
        var accepted = scriptResults.Concat(formResults).Where(r => r.Accepted).ToList();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120) && accepted.Any(r => !stored.ContainsKey(r.Marker)))
        {
            await Task.Delay(500);
        }

        await stop.CancelAsync();
        await monitor;
        await sampler;
        foreach (var r in accepted)
        {
            r.StoredAt = stored.TryGetValue(r.Marker, out var at) ? at : null;
        }

        return new ScenarioResult(
            attack, scriptResults, formResults, span,
            stampAttacker?.Accepted ?? formAttacker?.Accepted ?? 0,
            stampAttacker?.Requests ?? formAttacker?.Requests ?? 0,
            stampAttacker?.Hashes ?? 0,
            attackerStored, main, bulk, floors, samples, loadBefore, loadAfter);
    }

    /// <summary>Every 5 s: the attacker's accepted submissions and hashes so far, and the load average.</summary>
    private static async Task SampleAsync(
        Stopwatch clock, List<(double At, long Accepted, long Hashes, string Load)> samples, Func<(long Accepted, long Hashes)> read, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
                var (accepted, hashes) = read();
                samples.Add((clock.Elapsed.TotalSeconds, accepted, hashes, LoadAverage().Split(' ')[0]));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Once a second: the floor and suggested effort as a client sees them, and which reporters' tips are stored.</summary>
    private static async Task MonitorAsync(
        HttpClient http,
        string connection,
        Stopwatch clock,
        List<(double At, int Floor, int Suggested)> floors,
        System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> stored,
        CancellationToken cancellationToken)
    {
        var tips = new TableClient(connection, StorageNames.TipsTable);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var challenge = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri("api/challenge", UriKind.Relative), cancellationToken);
                floors.Add((clock.Elapsed.TotalSeconds, challenge.GetProperty("difficulty").GetInt32(), challenge.GetProperty("suggestedEffort").GetInt32()));
                var filter = $"PartitionKey eq '{ScriptQueue}' or PartitionKey eq '{FormQueue}'";
                await foreach (var row in tips.QueryAsync<TableEntity>(filter, select: ["RowKey", "Narrative"], cancellationToken: cancellationToken))
                {
                    var narrative = row.GetString("Narrative") ?? "";
                    var marker = narrative.Split(' ').Select(w => w.TrimEnd('.')).FirstOrDefault(w => w.Length == 13 && (w[0] == 'S' || w[0] == 'F') && w[4] == 'X');
                    if (marker is not null)
                    {
                        stored.TryAdd(marker, DateTimeOffset.UtcNow);
                    }
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or Azure.RequestFailedException or System.Text.Json.JsonException)
            {
                // A slow answer under the flood: try again next second.
            }
        }
    }

    private static async Task<long> CountAsync(string connection, string partition)
    {
        long count = 0;
        await foreach (var _ in new TableClient(connection, StorageNames.TipsTable).QueryAsync<TableEntity>($"PartitionKey eq '{partition}'", select: ["PartitionKey"]))
        {
            count++;
        }

        return count;
    }

    private static QueueClient Queue(string connection, string name) => new(connection, name);

    /// <summary>The local host as shipped but for the Key Vault budget (simulated) and routing that keeps the reporters' tips apart.</summary>
    private static Task<ChildServer> StartHostAsync(string connection, string keyFolder, IEnumerable<string> extra) =>
        ChildServer.StartAsync("serve-intake",
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Development",
            $"--{StorageNames.Connection}={connection}",
            $"--LocalDevelopmentKey:Folder={keyFolder}",
            $"--Intake:ReceiptPepper={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--Processing:UnwrapsPerSecond=40",
            "--Routing:Rules:0:Category=trafficking", "--Routing:Rules:0:Urgency=imminent", $"--Routing:Rules:0:Queue={ScriptQueue}",
            "--Routing:Rules:1:Category=trafficking", "--Routing:Rules:1:Urgency=soon", $"--Routing:Rules:1:Queue={FormQueue}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:TipIntake=Warning",
            .. extra,
        ]);

    private static string AttackName(Attack attack, Settings settings) => attack switch
    {
        Attack.None => "none",
        Attack.Script => $"script path, W = {settings.Workers}",
        _ => $"no-script path, W = {settings.Workers}",
    };

    private static string Percent(List<ReportResult> reports, TimeSpan deadline) => reports.Count == 0 ? "—"
        : string.Create(Inv, $"{reports.Count(r => r.Accepted && r.Elapsed <= deadline)} ({100.0 * reports.Count(r => r.Accepted && r.Elapsed <= deadline) / reports.Count:F0} %)");

    /// <summary>A quantile of the time to acceptance over all tries, a report that did not get through counting as longer than the deadline.</summary>
    private static string Quantile(List<ReportResult> reports, double q, TimeSpan deadline)
    {
        if (reports.Count == 0)
        {
            return "—";
        }

        var times = reports.Select(r => r.Accepted && r.Elapsed <= deadline ? r.Elapsed.TotalSeconds : double.PositiveInfinity).Order().ToList();
        var value = times[Math.Clamp((int)Math.Ceiling(q * times.Count) - 1, 0, times.Count - 1)];
        return double.IsPositiveInfinity(value) ? string.Create(Inv, $"> {deadline.TotalSeconds:F0}") : value.ToString("F1", Inv);
    }

    private static string Efforts(List<ReportResult> reports)
    {
        var efforts = reports.Where(r => r.Efforts.Count > 0).Select(r => r.Efforts[^1]).Order().ToList();
        return efforts.Count == 0 ? "—" : string.Create(Inv, $"{efforts[efforts.Count / 2]} / {efforts[^1]}");
    }

    private static string Stored(List<ReportResult> reports)
    {
        var delays = reports.Where(r => r is { AcceptedAt: not null, StoredAt: not null }).Select(r => (r.StoredAt!.Value - r.AcceptedAt!.Value).TotalSeconds).Order().ToList();
        var missing = reports.Count(r => r.Accepted && r.StoredAt is null);
        return delays.Count == 0 ? (missing > 0 ? $"{missing} not stored" : "—")
            : string.Create(Inv, $"{Math.Max(0, delays[delays.Count / 2]):F1} / {Math.Max(0, delays[^1]):F1}{(missing > 0 ? $" ({missing} not stored in 120 s)" : "")}");
    }

    private static string FloorAt(List<(double At, int Floor, int Suggested)> floors, double at) =>
        floors.LastOrDefault(f => f.At <= at) is { At: > 0 } f ? (f.Suggested > f.Floor ? $"{f.Floor}+" : f.Floor.ToString(Inv)) : "—";

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Mb(long bytes) => string.Create(Inv, $"{bytes / 1024.0 / 1024.0:F0} MB");
}
