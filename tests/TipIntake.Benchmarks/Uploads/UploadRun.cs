using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using TipIntake.Benchmarks.Flood;
using TipIntake.Benchmarks.Load;
using TipIntake.LocalHost.Azurite;

namespace TipIntake.Benchmarks.Uploads;

/// <summary>
/// Upload throughput through the local host and the real worker (docs/benchmarks.md, "Uploads"): one file of
/// <c>--megabytes</c> sent as the form sends it — create, every chunk with its stamp and <c>Content-Digest</c>,
/// <c>--parallel</c> chunks in flight, complete — for 1 MiB and 256 KiB chunks, against a floor that stages the same
/// chunks as blocks with nothing but the Azure SDK, in the same run and on the same Azurite. Stamps are solved before
/// the clock starts: their cost is the reporter's, measured elsewhere (docs/flood-control.md).
/// </summary>
public static class UploadRun
{
    private const string Account = "benchuploads";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Settings(int Megabytes, int[] Parallel, int Rounds, string? Output);

    private sealed record Point(string Path, int ChunkBytes, int Parallel, int Round, double Seconds, long Bytes, TimeSpan HostCpu, TimeSpan AllCpu);

    public static async Task<int> RunAsync(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var settings = new Settings(
            int.Parse(Value("--megabytes") ?? "32", Inv),
            (Value("--parallel") ?? "2,8").Split(',').Select(p => int.Parse(p, Inv)).ToArray(),
            int.Parse(Value("--rounds") ?? "3", Inv),
            Value("--out"));
        var report = new StringBuilder();
        void Say(string line)
        {
            Console.WriteLine(line);
            report.AppendLine(line);
        }

        var keyFolder = Path.Combine(Path.GetTempPath(), $"tipintake-uploads-{Environment.ProcessId}");
        await using var azurite = await AzuriteProcess.StartAsync([Account], location: null);
        var connection = azurite.ConnectionString(Account);
        await using var host = await ChildServer.StartAsync("serve-intake",
        [
            "--urls", "http://127.0.0.1:0", "--environment", "Development",
            $"--{Infrastructure.Storage.StorageNames.Connection}={connection}",
            $"--LocalDevelopmentKey:Folder={keyFolder}",
            $"--Intake:ReceiptPepper={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            "--Attachments:UploadsEnabled=true",
            "--Attachments:MaxBytesPerSecond=1000000000",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:TipIntake=Warning",
        ]);
        using var http = FloodClients.Create(host.BaseAddress, 16);
        var staging = new BlobServiceClient(connection).GetBlobContainerClient("attachments-staging");
        var floorContainer = new BlobServiceClient(connection).GetBlobContainerClient("benchfloor");
        await floorContainer.CreateIfNotExistsAsync();

        Say($"# TipIntake upload run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Say(string.Create(Inv, $"Machine: {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}; load average {LoadAverage()}. One file of {settings.Megabytes} MiB of padded plaintext per point; rounds interleaved (route, floor, route, floor …)."));

        // Warm-up: JIT and storage set-up on both paths.
        await SendFileAsync(http, 262_160, 4, 2);
        await FloorAsync(floorContainer, 262_160, 4, 2);

        var points = new List<Point>();
        foreach (var chunkBytes in new[] { 1_048_592, 262_160 })
        {
            var chunks = settings.Megabytes * 1024 * 1024 / (chunkBytes - 16);
            foreach (var parallel in settings.Parallel)
            {
                for (var round = 1; round <= settings.Rounds; round++)
                {
                    Console.WriteLine(string.Create(Inv, $"  {chunkBytes} B chunks × {chunks}, {parallel} in flight, round {round} …"));
                    var (hostCpu, allCpu) = (host.OwnCpuTime(), host.CpuTime());
                    var route = await SendFileAsync(http, chunkBytes, chunks, parallel);
                    points.Add(new("route", chunkBytes, parallel, round, route.TotalSeconds, (long)chunks * chunkBytes,
                        host.OwnCpuTime() - hostCpu, host.CpuTime() - allCpu));
                    var floor = await FloorAsync(floorContainer, chunkBytes, chunks, parallel);
                    points.Add(new("floor", chunkBytes, parallel, round, floor.TotalSeconds, (long)chunks * chunkBytes, TimeSpan.Zero, TimeSpan.Zero));
                }
            }
        }

        Say("");
        Say("| Chunk | In flight | Route MB/s (median of rounds) | Floor MB/s | Route / floor | Local host CPU ms per MB | Worker CPU ms per MB |");
        Say("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var group in points.GroupBy(p => (p.ChunkBytes, p.Parallel)))
        {
            double Median(IEnumerable<double> values)
            {
                var sorted = values.Order().ToList();
                return sorted[sorted.Count / 2];
            }

            var route = group.Where(p => p.Path == "route").ToList();
            var routeRate = Median(route.Select(p => p.Bytes / 1e6 / p.Seconds));
            var floorRate = Median(group.Where(p => p.Path == "floor").Select(p => p.Bytes / 1e6 / p.Seconds));
            var megabytes = route.Sum(p => p.Bytes) / 1e6;
            var hostMs = route.Sum(p => p.HostCpu.TotalMilliseconds) / megabytes;
            var workerMs = route.Sum(p => (p.AllCpu - p.HostCpu).TotalMilliseconds) / megabytes;
            Say(string.Create(Inv, $"| {(group.Key.ChunkBytes - 16) / 1024} KiB | {group.Key.Parallel} | {routeRate:F1} | {floorRate:F1} | {routeRate / floorRate:F2} | {hostMs:F1} | {workerMs:F1} |"));
        }

        Say("");
        Say("Every point (path, chunk bytes, in flight, round: seconds): " + string.Join("; ", points.Select(p => string.Create(Inv, $"{p.Path} {p.ChunkBytes} {p.Parallel} r{p.Round}: {p.Seconds:F2}"))));
        Say($"Load average after: {LoadAverage()}; staged upload blobs left: {await CountAsync(staging)}.");
        if (settings.Output is not null)
        {
            await File.WriteAllTextAsync(settings.Output, report.ToString());
        }

        Directory.Delete(keyFolder, recursive: true);
        return 0;
    }

    /// <summary>Create, send every chunk (<paramref name="parallel"/> in flight), complete; the clock runs from create to the completion's answer.</summary>
    private static async Task<TimeSpan> SendFileAsync(HttpClient http, int chunkBytes, int chunks, int parallel)
    {
        var stamps = await SolveStampsAsync(http, chunks + 2);
        var upload = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var body = RandomNumberGenerator.GetBytes(chunkBytes);
        var digests = new byte[chunks][];
        var clock = Stopwatch.StartNew();
        await ExpectAsync(await SendAsync(http, HttpMethod.Put, "api/uploads", upload, stamps.Take(), JsonContent.Create(new { v = 1, chunks, chunkBytes })), HttpStatusCode.Created);
        await Parallel.ForAsync(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (index, cancellationToken) =>
        {
            // Each chunk differs in its first bytes, as ciphertext would, so no two chunks share a digest.
            var chunk = (byte[])body.Clone();
            BitConverter.TryWriteBytes(chunk, index);
            var digest = SHA256.HashData(chunk);
            digests[index] = digest;
            var content = new ByteArrayContent(chunk);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.TryAddWithoutValidation("Content-Digest", $"sha-256=:{Convert.ToBase64String(digest)}:");
            await ExpectAsync(await SendAsync(http, HttpMethod.Put, $"api/uploads/chunks/{index}", upload, stamps.Take(), content), HttpStatusCode.NoContent);
        });
        await ExpectAsync(await SendAsync(http, HttpMethod.Post, "api/uploads/complete", upload, stamps.Take(),
            JsonContent.Create(new { v = 1, chunkDigests = digests.Select(d => Base64Url.EncodeToString(d)).ToArray() })), HttpStatusCode.OK);
        return clock.Elapsed;
    }

    /// <summary>The same chunks staged as blocks of one blob and committed, with the Azure SDK alone.</summary>
    private static async Task<TimeSpan> FloorAsync(BlobContainerClient container, int chunkBytes, int chunks, int parallel)
    {
        var blob = container.GetBlockBlobClient(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
        var body = RandomNumberGenerator.GetBytes(chunkBytes);
        var ids = Enumerable.Range(0, chunks).Select(i => Convert.ToBase64String(BitConverter.GetBytes(i))).ToArray();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (index, cancellationToken) =>
        {
            var chunk = (byte[])body.Clone();
            BitConverter.TryWriteBytes(chunk, index);
            using var stream = new MemoryStream(chunk);
            await blob.StageBlockAsync(ids[index], stream, cancellationToken: cancellationToken);
        });
        await blob.CommitBlockListAsync(ids);
        return clock.Elapsed;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string upload, string stamp, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content };
        request.Headers.TryAddWithoutValidation("TipIntake-Upload", upload);
        request.Headers.TryAddWithoutValidation("TipIntake-Stamp", stamp);
        return await http.SendAsync(request);
    }

    private static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
    }

    /// <summary>Stamps solved in parallel before the clock starts, each for its own challenge at the effort the server names.</summary>
    private static async Task<StampPool> SolveStampsAsync(HttpClient http, int count)
    {
        var stamps = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (_, cancellationToken) =>
        {
            var challenge = await http.GetFromJsonAsync<JsonElement>(new Uri("api/challenge", UriKind.Relative), cancellationToken);
            var search = new StampSearch(challenge.GetProperty("challenge").GetString()!);
            stamps.Enqueue(search.Find(challenge.GetProperty("difficulty").GetInt32(), long.MaxValue, cancellationToken)!);
        });
        return new StampPool(stamps);
    }

    private static async Task<int> CountAsync(BlobContainerClient container)
    {
        var count = 0;
        await foreach (var _ in container.GetBlobsAsync())
        {
            count++;
        }

        return count;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private sealed class StampPool(System.Collections.Concurrent.ConcurrentQueue<string> stamps)
    {
        public string Take() => stamps.TryDequeue(out var stamp) ? stamp : throw new InvalidOperationException("Out of stamps.");
    }
}
