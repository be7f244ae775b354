using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace TipIntake.IntegrationTests.Hostile;

/// <summary>
/// Finding 3 of issue 13: a chunked body announces no length, and the no-script form and the development sign-in read
/// such a body in full before checking its size (29 MB each; twelve in parallel took a host from ~200 MB to 844 MB).
/// Now every body is counted as it arrives and refused with 413 at the limit plus one byte, and the connection is
/// closed after the answer. Runs in the hostile collection, alone, so that the heap it measures is its own.
/// </summary>
[Collection(nameof(HostileRun))]
public sealed class OversizedBodyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Parallel = 12;
    /// <summary>29 MB, as in the finding: under Kestrel's own 30 MB request limit, so the app's limit is what refuses it.</summary>
    private const long BodyBytes = 29_000_000;

    /// <summary>What the client may have written before the server stops reading: the limit plus loopback socket buffers.</summary>
    private const long CutOffBound = 16L * 1024 * 1024;

    /// <summary>Twelve bounded reads hold at most 12 × 512 KiB; twelve 29 MB bodies read in full would take ~700 MB.</summary>
    private const long HeapGrowthBound = 48L * 1024 * 1024;

    /// <summary>
    /// The worker reads /submit's and /api/tips' bodies: its resident memory may grow by a runtime's working buffers, not
    /// by what twelve full bodies would take (~350 MB as bytes, twice that as a form's text).
    /// </summary>
    private const long WorkerRssGrowthBound = 128L * 1024 * 1024;

    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <param name="answeredByTheHost">
    /// /dev/token is the local host's own and stops reading at its limit. /submit and /api/tips are the worker's, behind
    /// the host's proxy (as behind the Functions host's): the app stops at the limit and answers 413 at once, and its
    /// server discards the rest so that the proxy, which delivers an answer only once it has sent the whole body, can
    /// deliver it — the client may send it all, but nothing is kept.
    /// </param>
    [Theory]
    [InlineData("/submit", "application/x-www-form-urlencoded", "x=", false)]
    [InlineData("/dev/token", "application/json", "{\"name\":\"", true)]
    [InlineData("/api/tips", "application/jose", "eyJ", false)]
    public async Task Twelve_parallel_29_MB_chunked_posts_are_refused_with_413_before_they_are_read_in_full(string path, string contentType, string start, bool answeredByTheHost)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var worker = _host.Host.Worker.ProcessId!.Value;
        var workerBaseline = MemorySampler.Rss(worker);
        using var sampler = new MemorySampler(worker);

        var answers = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => PostChunkedAsync(path, contentType, start)));

        var (peakHeap, _, peakWorkerRss) = sampler.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{path}: statuses {string.Join(",", answers.Select(a => a.Status))}; written MB {string.Join(",", answers.Select(a => (a.Written / 1048576.0).ToString("F1", CultureInfo.InvariantCulture)))}; host heap +{(peakHeap - baseline) / 1048576.0:F1} MB; worker RSS {workerBaseline / 1048576.0:F0} MB +{(peakWorkerRss - workerBaseline) / 1048576.0:F1} MB"));
        Assert.All(answers, a => Assert.Equal(413, a.Status));
        Assert.All(answers, a => Assert.InRange(a.Written, 0, answeredByTheHost ? CutOffBound : BodyBytes + (64 * 1024)));
        Assert.InRange(peakHeap - baseline, long.MinValue, HeapGrowthBound);
        Assert.InRange(peakWorkerRss - workerBaseline, long.MinValue, WorkerRssGrowthBound);
    }

    /// <summary>
    /// Writes a 29 MB chunked body in 64 KiB chunks while reading the answer; stops as soon as an answer arrives or the
    /// server closes. Returns the status and how many body bytes were written.
    /// </summary>
    private async Task<(int Status, long Written)> PostChunkedAsync(string path, string contentType, string start)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _host.Host.BaseAddress.Port), timeout.Token);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var reading = ReadStatusAsync(stream, timeout.Token);
        var head = $"POST {path} HTTP/1.1\r\nHost: {_host.Host.BaseAddress.Authority}\r\nContent-Type: {contentType}\r\nTransfer-Encoding: chunked\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        Encoding.ASCII.GetBytes(start).CopyTo(chunk, 0);
        var frameHead = Encoding.ASCII.GetBytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
        long written = 0;
        try
        {
            while (written < BodyBytes && !reading.IsCompleted)
            {
                await stream.WriteAsync(frameHead, timeout.Token);
                await stream.WriteAsync(chunk, timeout.Token);
                await stream.WriteAsync("\r\n"u8.ToArray(), timeout.Token);
                written += chunk.Length;
                chunk[0] = (byte)'a';
            }

            if (!reading.IsCompleted)
            {
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), timeout.Token);
            }
        }
        catch (IOException)
        {
            // The server closed the connection after answering: the answer is read below.
        }

        return (await reading, written);
    }

    private static async Task<int> ReadStatusAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var received = 0;
        try
        {
            int read;
            while (received < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(received), cancellationToken)) > 0)
            {
                received += read;
                var text = Encoding.ASCII.GetString(buffer, 0, received);
                if (text.Contains("\r\n", StringComparison.Ordinal))
                {
                    return int.Parse(text.Split(' ')[1], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
