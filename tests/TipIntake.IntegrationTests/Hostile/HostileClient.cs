using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TipIntake.IntegrationTests.Hostile;

/// <summary>What came back: the status (0 when the connection closed without an answer), the media type, the body.</summary>
public sealed record HostileResponse(int Status, string? MediaType, byte[] Body, TimeSpan Elapsed, string Via);

/// <summary>
/// Sends a case to the host on loopback: through <see cref="HttpClient"/> where it can express the request exactly,
/// otherwise (CR/LF in a header, a path the URI parser would normalise, a body announced but not sent, a slow body,
/// a chunked body — the server answers an oversized one early and closes, which <see cref="HttpClient"/> reports as a
/// failed send instead of the answer) as bytes on a TCP socket, reading the answer while writing.
/// </summary>
public sealed class HostileClient(Uri baseAddress, HostileRequestBuilder builder) : IDisposable
{
    /// <summary>Every answer must come within this; a slow body must be cut off by the server well before.</summary>
    public static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };

    public async Task<HostileResponse> SendAsync(HostileCase c)
    {
        using var deadline = new CancellationTokenSource(AnswerBound + TimeSpan.FromSeconds(2));
        var stopwatch = Stopwatch.StartNew();
        var path = builder.Fill(c.Path);
        var headers = c.Headers.Select(h => KeyValuePair.Create(builder.Fill(h.Key), builder.Fill(h.Value))).ToList();
        var body = builder.Bytes(c.Body);
        var raw = c.Transport is "raw" or "chunked" || c.Raw is not null || c.Slow is not null || !SurvivesUriParsing(path)
            || headers.Any(h => h.Key.AsSpan().IndexOfAny("\r\n\0") >= 0 || h.Value.AsSpan().IndexOfAny("\r\n\0") >= 0
                || h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase));
        if (raw)
        {
            if (c.Transport == "chunked" && c.Raw is null)
            {
                headers.Add(KeyValuePair.Create("Transfer-Encoding", "chunked"));
                var ((chunkedStatus, chunkedType, chunkedBody), chunkedElapsed) =
                    await SendChunkedAsync(RawRequest(c.Method, path, headers, []), body, deadline.Token);
                return new HostileResponse(chunkedStatus, chunkedType, chunkedBody, chunkedElapsed, "tcp");
            }

            var request = c.Raw is { } verbatim ? builder.Bytes(verbatim) : RawRequest(c.Method, path, headers, body);
            var head = c.Raw is not null || c.Slow is { FromStart: true } ? 0 : request.Length - body.Length;
            var ((status, mediaType, responseBody), elapsed) = await SendRawAsync(request, head, c.Slow, deadline.Token);
            return new HostileResponse(status, mediaType, responseBody, elapsed, "tcp");
        }

        using var message = new HttpRequestMessage(new HttpMethod(c.Method), new Uri(path, UriKind.Relative));
        HttpContent? content = null;
        if (body.Length > 0 || c.Method is "POST" or "PUT" or "PATCH" || headers.Any(h => h.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)))
        {
            content = new ByteArrayContent(body);
            message.Content = content;
        }

        foreach (var (name, value) in headers)
        {
            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                content!.Headers.Remove(name);
                Assert.True(content.Headers.TryAddWithoutValidation(name, value), $"{c.Name}: content header {name} not accepted by HttpClient.");
            }
            else
            {
                Assert.True(message.Headers.TryAddWithoutValidation(name, value), $"{c.Name}: header {name} not accepted by HttpClient.");
            }
        }

        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, deadline.Token);
        var bytes = await response.Content.ReadAsByteArrayAsync(deadline.Token);
        content?.Dispose();
        return new HostileResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, bytes, stopwatch.Elapsed, "http");
    }

    public void Dispose() => _http.Dispose();

    private bool SurvivesUriParsing(string path) =>
        Uri.TryCreate(_http.BaseAddress, path, out var uri) && uri.PathAndQuery == path;

    /// <summary>
    /// Writes the head, then the body in 64 KiB chunks (as HttpClient frames a stream of unknown length) while reading the
    /// answer; stops writing as soon as an answer arrives or the server closes.
    /// </summary>
    private async Task<((int Status, string? MediaType, byte[] Body) Response, TimeSpan Elapsed)> SendChunkedAsync(
        byte[] head, byte[] body, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _http.BaseAddress!.Port), cancellationToken);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var reading = ReadAnswerAsync(stream, stopwatch, cancellationToken);
        try
        {
            await stream.WriteAsync(head, cancellationToken);
            for (var at = 0; at < body.Length && !reading.IsCompleted; at += 64 * 1024)
            {
                var size = Math.Min(64 * 1024, body.Length - at);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(size.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), cancellationToken);
                await stream.WriteAsync(body.AsMemory(at, size), cancellationToken);
                await stream.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
            }

            if (!reading.IsCompleted)
            {
                await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
            }
        }
        catch (IOException)
        {
            // The server answered early and closed: what it said is read below.
        }
        catch (SocketException)
        {
        }

        var (response, elapsed) = await reading;
        return (Parse(response), elapsed);
    }

    private byte[] RawRequest(string method, string path, List<KeyValuePair<string, string>> headers, byte[] body)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(path).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(_http.BaseAddress!.Authority).Append("\r\n");
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (!headers.Any(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            && (body.Length > 0 || method is "POST" or "PUT" or "PATCH"))
        {
            head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        return [.. Encoding.UTF8.GetBytes(head.ToString()), .. body];
    }

    /// <summary>
    /// Writes the request (the part after <paramref name="head"/> at the slow rate, if any) while reading the answer;
    /// stops writing as soon as an answer arrives or the server closes. Paced writes are the test's input, not waits.
    /// </summary>
    private async Task<((int Status, string? MediaType, byte[] Body) Response, TimeSpan Elapsed)> SendRawAsync(
        byte[] request, int head, HostileSlow? slow, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _http.BaseAddress!.Port), cancellationToken);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        var reading = ReadAnswerAsync(stream, stopwatch, cancellationToken);
        try
        {
            await stream.WriteAsync(request.AsMemory(0, head), cancellationToken);
            if (slow is null)
            {
                await stream.WriteAsync(request.AsMemory(head), cancellationToken);
            }
            else
            {
                using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(slow.IntervalMs));
                for (var at = head; at < request.Length && !reading.IsCompleted; at += slow.Bytes)
                {
                    await stream.WriteAsync(request.AsMemory(at, Math.Min(slow.Bytes, request.Length - at)), cancellationToken);
                    await Task.WhenAny(pace.WaitForNextTickAsync(cancellationToken).AsTask(), reading);
                }
            }
        }
        catch (IOException)
        {
            // The server stopped reading (it answered or gave up on us): what it said is read below.
        }
        catch (SocketException)
        {
        }

        var (response, elapsed) = await reading;
        return (Parse(response), elapsed);
    }

    /// <summary>
    /// Reads until the answer is complete (by its Content-Length or chunked end) or the server closes; the time is when
    /// the answer was complete, not when the server later closed the connection (it may first wait out an announced body).
    /// </summary>
    private static async Task<(byte[] Response, TimeSpan Elapsed)> ReadAnswerAsync(NetworkStream stream, Stopwatch stopwatch, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > 4 * 1024 * 1024 || IsComplete(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
                {
                    break;
                }
            }
        }
        catch (IOException) when (buffer.Length > 0)
        {
            // A reset after the answer (the server closed with unread request bytes): the answer is complete.
        }

        return (buffer.ToArray(), stopwatch.Elapsed);
    }

    private static bool IsComplete(ReadOnlySpan<byte> response)
    {
        var end = response.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }

        var head = Encoding.ASCII.GetString(response[..end]);
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var (name, value) = (line.Split(':', 2)[0].Trim(), line.Split(':', 2).ElementAtOrDefault(1)?.Trim() ?? "");
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && int.TryParse(value, CultureInfo.InvariantCulture, out var length))
            {
                return response.Length - end - 4 >= length;
            }

            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && value.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                return response.EndsWith("\r\n0\r\n\r\n"u8) || response.EndsWith("\n0\r\n\r\n"u8);
            }
        }

        return false;
    }

    /// <summary>A minimal HTTP/1.1 response parser: status line, headers, a Content-Length or chunked body.</summary>
    private static (int Status, string? MediaType, byte[] Body) Parse(byte[] response)
    {
        var end = response.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return (0, null, response);
        }

        var lines = Encoding.ASCII.GetString(response, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = response.AsSpan(end + 4);
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new MemoryStream();
            while (true)
            {
                var lineEnd = body.IndexOf("\r\n"u8);
                if (lineEnd < 0)
                {
                    break;
                }

                var size = Convert.ToInt32(Encoding.ASCII.GetString(body[..lineEnd]).Split(';')[0].Trim(), 16);
                if (size == 0 || body.Length < lineEnd + 2 + size)
                {
                    break;
                }

                decoded.Write(body.Slice(lineEnd + 2, size));
                body = body[(lineEnd + 2 + size + 2)..];
            }

            body = decoded.ToArray();
        }
        else if (headers.TryGetValue("Content-Length", out var cl) && int.TryParse(cl, System.Globalization.CultureInfo.InvariantCulture, out var length))
        {
            body = body[..Math.Min(length, body.Length)];
        }

        var mediaType = headers.TryGetValue("Content-Type", out var ct) ? ct.Split(';')[0].Trim() : null;
        return (status, mediaType, body.ToArray());
    }
}
