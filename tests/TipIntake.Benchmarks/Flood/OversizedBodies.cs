using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using TipIntake.Benchmarks.Load;

namespace TipIntake.Benchmarks.Flood;

/// <summary>
/// Twelve oversized chunked bodies at once (issue 13, finding 3): each a 29 MB form post to <c>POST /submit</c> with
/// <c>Transfer-Encoding: chunked</c> and no length, written 64 KiB a chunk for as long as the server reads. The server's
/// resident memory (the local host and its worker together) is sampled every 50 ms; what each client managed to write
/// before the answer is counted.
/// </summary>
public static class OversizedBodies
{
    public const int Parallel = 12;
    public const int BodyBytes = 29_000_000;

    public sealed record Result(long BaselineRss, long PeakRss, long AfterRss, IReadOnlyList<(int Status, long Written)> Answers, TimeSpan Elapsed);

    public static async Task<Result> RunAsync(ChildServer host)
    {
        ArgumentNullException.ThrowIfNull(host);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var baseline = host.Rss();
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, host.Rss());
                await Task.Delay(50, CancellationToken.None);
            }
        });
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => PostAsync(host.BaseAddress)));
        clock.Stop();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await sampler;
        return new Result(baseline, peak, host.Rss(), answers, clock.Elapsed);
    }

    private static async Task<(int Status, long Written)> PostAsync(Uri origin)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, origin.Port));
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = Encoding.ASCII.GetBytes(
            $"POST /submit HTTP/1.1\r\nHost: 127.0.0.1:{origin.Port}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n");
        var reading = ReadStatusAsync(stream);
        long written = 0;
        var chunk = Encoding.ASCII.GetBytes("narrative=" + new string('a', (64 * 1024) - 10));
        var chunkHead = Encoding.ASCII.GetBytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
        try
        {
            await stream.WriteAsync(head);
            while (written < BodyBytes && !reading.IsCompleted)
            {
                await stream.WriteAsync(chunkHead);
                await stream.WriteAsync(chunk);
                await stream.WriteAsync("\r\n"u8.ToArray());
                written += chunk.Length;
            }

            if (!reading.IsCompleted)
            {
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
            }
        }
        catch (IOException)
        {
            // The server answered and closed while we were still writing: what it should do.
        }

        return (await reading, written);
    }

    private static async Task<int> ReadStatusAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        var read = 0;
        try
        {
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read));
                if (n == 0)
                {
                    break;
                }

                read += n;
                var text = Encoding.ASCII.GetString(buffer, 0, read);
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
