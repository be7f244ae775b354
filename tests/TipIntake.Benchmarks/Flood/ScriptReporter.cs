using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TipIntake.Infrastructure.Keys;

namespace TipIntake.Benchmarks.Flood;

/// <summary>
/// The script-path reporter: Node.js running <c>Flood/reporter.mjs</c>, which drives the form's own stamp client
/// (<c>Web/assets/stamp.js</c> in module workers running <c>stamp-worker.js</c>). The JWEs are made here, with the
/// service's encryptor, one per report; what is measured is the work and the protocol, which are the form's code.
/// </summary>
public static class ScriptReporter
{
    public static string FloodFolder =>
        Path.Combine(LocalState.FindRepositoryRoot() ?? throw new InvalidOperationException("Run from the repository."), "tests", "TipIntake.Benchmarks", "Flood");

    /// <summary>Runs <paramref name="jwes"/>.Count reports, one every <paramref name="interval"/> from <paramref name="firstAt"/>.</summary>
    public static async Task<List<ReportResult>> RunAsync(
        Uri origin, IReadOnlyList<(string Marker, string Jwe)> jwes, TimeSpan interval, TimeSpan deadline, DateTimeOffset firstAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(jwes);
        var config = Path.Combine(Path.GetTempPath(), $"tipintake-flood-reporter-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            origin = origin.ToString().TrimEnd('/'),
            jwes = jwes.Select(j => j.Jwe).ToArray(),
            intervalMs = interval.TotalMilliseconds,
            deadlineMs = deadline.TotalMilliseconds,
            firstReportAt = firstAt.ToUnixTimeMilliseconds(),
        }), cancellationToken);
        try
        {
            var start = new ProcessStartInfo(TipIntake.LocalHost.Azurite.NodeTools.Node)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("--disable-warning=MODULE_TYPELESS_PACKAGE_JSON");
            start.ArgumentList.Add(Path.Combine(FloodFolder, "reporter.mjs"));
            start.ArgumentList.Add(config);
            using var node = Process.Start(start)!;
            var errors = node.StandardError.ReadToEndAsync(cancellationToken);
            var results = new List<ReportResult>();
            while (await node.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                results.Add(Parse(line, jwes));
            }

            await node.WaitForExitAsync(cancellationToken);
            if (node.ExitCode != 0)
            {
                throw new InvalidOperationException($"The reporter failed: {await errors}");
            }

            return [.. results.OrderBy(r => r.Index)];
        }
        finally
        {
            File.Delete(config);
        }
    }

    /// <summary>SHA-256 hashes a second on one thread of the form's code under Node.js (CounterSearch, alone).</summary>
    public static async Task<double> MeasureHashRateAsync(TimeSpan duration)
    {
        var stampModule = new Uri(Path.Combine(FloodFolder, "..", "..", "..", "functions", "TipIntake.Functions", "Web", "assets", "stamp.js")).AbsoluteUri;
        var script = $$"""
            const { CounterSearch } = await import('{{stampModule}}');
            const search = new CounterSearch('A'.repeat(56));
            const until = Date.now() + {{duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}};
            while (Date.now() < until) { search.search(257, 100000); }
            console.log(search.tried / ({{duration.TotalSeconds.ToString(CultureInfo.InvariantCulture)}}));
            """;
        var start = new ProcessStartInfo(TipIntake.LocalHost.Azurite.NodeTools.Node) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--disable-warning=MODULE_TYPELESS_PACKAGE_JSON");
        start.ArgumentList.Add("--input-type=module");
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(script);
        using var node = Process.Start(start)!;
        var output = await node.StandardOutput.ReadToEndAsync();
        await node.WaitForExitAsync();
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    private static ReportResult Parse(string line, IReadOnlyList<(string Marker, string Jwe)> jwes)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        var index = root.GetProperty("index").GetInt32();
        var status = root.GetProperty("status");
        var outcome = status.ValueKind == JsonValueKind.Number ? status.GetInt32().ToString(CultureInfo.InvariantCulture) : status.GetString() ?? "";
        return new ReportResult(
            index,
            jwes[index].Marker,
            DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("startedAt").GetInt64()),
            outcome == "202",
            TimeSpan.FromMilliseconds(root.GetProperty("ms").GetDouble()),
            outcome,
            root.GetProperty("attempts").GetInt32(),
            [.. root.GetProperty("efforts").EnumerateArray().Select(e => e.GetInt32())],
            root.GetProperty("raised").GetInt32(),
            root.GetProperty("tried").GetInt64(),
            root.GetProperty("solvingMs").GetDouble(),
            [.. root.GetProperty("refusals").EnumerateArray().Select(e => e.GetString() ?? "")]);
    }
}
