using System.Net;
using System.Net.Sockets;

namespace TipIntake.IntegrationTests.Browser;

/// <summary>The relay the dropped-connection tests rely on really relays, and really resets at its marks.</summary>
public sealed class CuttingRelayTests
{
    [Fact]
    public async Task Relays_both_ways_until_a_mark_then_resets_the_connection()
    {
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        var serving = EchoAsync(echo);
        await using var relay = CuttingRelay.Start(new Uri($"http://127.0.0.1:{((IPEndPoint)echo.LocalEndpoint).Port}/"), 100_000);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, relay.BaseAddress.Port);
        var stream = client.GetStream();
        var small = new byte[1_000];
        Random.Shared.NextBytes(small);
        await stream.WriteAsync(small);
        var back = new byte[small.Length];
        await stream.ReadExactlyAsync(back);
        Assert.Equal(small, back);
        Assert.Equal(0, relay.Cuts);

        var failure = await Record.ExceptionAsync(async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var chunk = new byte[16 * 1024];
            while (true)
            {
                await stream.WriteAsync(chunk, timeout.Token);
                await stream.ReadExactlyAsync(chunk, timeout.Token);
            }
        });

        Assert.True(failure is IOException or SocketException, $"expected a reset, got {failure?.GetType().Name}");
        Assert.Equal(1, relay.Cuts);
        Assert.InRange(relay.BytesUp, 100_000, 200_000);
        echo.Stop();
        await Record.ExceptionAsync(() => serving);
    }

    private static async Task EchoAsync(TcpListener listener)
    {
        while (true)
        {
            var socket = await listener.AcceptSocketAsync();
            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    var buffer = new byte[8192];
                    try
                    {
                        int read;
                        while ((read = await socket.ReceiveAsync(buffer)) > 0)
                        {
                            await socket.SendAsync(buffer.AsMemory(0, read));
                        }
                    }
                    catch (SocketException)
                    {
                        // The relay reset it.
                    }
                }
            });
        }
    }
}
