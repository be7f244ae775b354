using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>
/// A loopback TCP relay between a browser and the local host that resets every open connection each time the bytes
/// sent upstream cross one of the given marks — a Tor circuit dropping in the middle of an upload — and then, for
/// <see cref="Outage"/>, resets every new connection too, as a circuit being rebuilt does. The browser sees
/// <c>ERR_CONNECTION_RESET</c> for whatever was in flight (and for its own quiet resend of an idempotent request on a
/// fresh connection); the host sees requests cut short.
/// </summary>
public sealed class CuttingRelay : IAsyncDisposable
{
    private const int BufferBytes = 64 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly Queue<long> _marks;
    private readonly ConcurrentDictionary<int, (Socket Client, Socket Server)> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private long _bytesUp;
    private long _outageUntil;
    private int _nextId;
    private int _cuts;

    private CuttingRelay(Uri upstream, IEnumerable<long> cutAfterBytes)
    {
        _upstream = new IPEndPoint(IPAddress.Loopback, upstream.Port);
        _marks = new Queue<long>(cutAfterBytes.Order());
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>Where the browser should go instead of the host.</summary>
    public Uri BaseAddress { get; }

    /// <summary>How many times every connection was reset.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>Bytes relayed from the browser to the host.</summary>
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    /// <summary>How long after a cut new connections are reset as well.</summary>
    public TimeSpan Outage { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Connections reset as they were made, during an outage.</summary>
    public int Refused => Volatile.Read(ref _refused);

    private int _refused;

    public static CuttingRelay Start(Uri upstream, params long[] cutAfterBytes) => new(upstream, cutAfterBytes);

    public static CuttingRelay Start(Uri upstream, TimeSpan outage, params long[] cutAfterBytes) => new(upstream, cutAfterBytes) { Outage = outage };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var id in _open.Keys)
        {
            Close(id, reset: false);
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping the listener ends the accept loop with one of these.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            if (Environment.TickCount64 < Interlocked.Read(ref _outageUntil))
            {
                Interlocked.Increment(ref _refused);
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await server.ConnectAsync(_upstream, _stop.Token);
            }
            catch (SocketException)
            {
                client.Close(0);
                server.Dispose();
                continue;
            }

            var id = Interlocked.Increment(ref _nextId);
            _open[id] = (client, server);
            _ = PumpAsync(id, client, server, countsUp: true);
            _ = PumpAsync(id, server, client, countsUp: false);
        }
    }

    private async Task PumpAsync(int id, Socket from, Socket to, bool countsUp)
    {
        var buffer = new byte[BufferBytes];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                if (countsUp && CrossedMark(Interlocked.Add(ref _bytesUp, read)))
                {
                    CutEverything();
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The other side went away, or this relay cut or stopped the connection: close both halves.
        }

        Close(id, reset: false);
    }

    private bool CrossedMark(long bytesUp)
    {
        lock (_gate)
        {
            if (_marks.Count == 0 || bytesUp < _marks.Peek())
            {
                return false;
            }

            _marks.Dequeue();
            return true;
        }
    }

    private void CutEverything()
    {
        Interlocked.Exchange(ref _outageUntil, Environment.TickCount64 + (long)Outage.TotalMilliseconds);
        Interlocked.Increment(ref _cuts);
        foreach (var id in _open.Keys)
        {
            Close(id, reset: true);
        }
    }

    private void Close(int id, bool reset)
    {
        if (!_open.TryRemove(id, out var pair))
        {
            return;
        }

        foreach (var socket in (Socket[])[pair.Client, pair.Server])
        {
            if (reset)
            {
                // Linger 0 makes closing send RST instead of FIN: the browser sees a reset, not a clean end.
                socket.LingerState = new LingerOption(true, 0);
            }

            socket.Dispose();
        }
    }
}
