using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace TipIntake.Functions.Http;

/// <summary>
/// Reads a request body into memory, never more than a limit, whatever its transfer encoding: bytes are counted as
/// they arrive (a chunked body announces no length) and reading stops at the limit plus one byte. A body over the
/// limit is answered 413 at once and never buffered. One announced too long (Content-Length) is refused unread and
/// the connection closed after the answer. One found too long while reading (chunked) is not read any further by the
/// app; the server discards what the client still sends, for at most its drain timeout (Kestrel: 5 s), before it
/// reuses or closes the connection — a proxy in front (the Functions host, the local host) delivers the answer only
/// once it has sent the whole body, and a connection closed under it would turn the 413 into a 5xx. A broken framing
/// or a body too slow for the server's minimum rate is the client's fault, never a 500 (<see cref="RequestBodyFailures"/>).
/// </summary>
public static class BoundedRequestBody
{
    public enum Status
    {
        Read,
        TooLarge,

        /// <summary>The framing is broken (a bad chunk size, a body shorter than its Content-Length): 400.</summary>
        Unreadable,

        /// <summary>The body came slower than the server's minimum data rate: 408.</summary>
        TimedOut,
    }

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> bytes. On <see cref="Status.Read"/> the body is
    /// <c>Body.Bytes</c>; dispose it to return (and wipe) its pooled buffer.
    /// </summary>
    public static async Task<(Status Status, PooledBody? Body)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes)
        {
            request.HttpContext.Response.Headers.Connection = "close";
            return (Status.TooLarge, null);
        }

        // The app never reads past the limit (below). The server's own limit (Kestrel: 30 MB) would also bound its
        // discarding of the rest after a 413, cutting the connection under a proxy that is still sending: the drain
        // timeout bounds that instead.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        var length = 0;
        try
        {
            int read;
            while (length <= maxBytes
                && (read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBytes + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (IOException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            return (RequestBodyFailures.StatusOf(ex) switch
            {
                StatusCodes.Status408RequestTimeout => Status.TimedOut,
                StatusCodes.Status413PayloadTooLarge => Status.TooLarge,
                _ => Status.Unreadable,
            }, null);
        }

        if (length > maxBytes)
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            return (Status.TooLarge, null);
        }

        return (Status.Read, new PooledBody(buffer, length));
    }

    /// <summary>A body read whole into a pooled buffer, wiped when returned (a form body is a reporter's plaintext).</summary>
    public sealed class PooledBody(byte[] buffer, int length) : IDisposable
    {
        private byte[]? _buffer = buffer;

        public ReadOnlyMemory<byte> Bytes => Buffer.AsMemory(0, length);

        /// <summary>A read-only stream over the body, without a copy; valid until this is disposed.</summary>
        public MemoryStream AsStream() => new(Buffer, 0, length, writable: false);

        private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBody));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } returned)
            {
                ArrayPool<byte>.Shared.Return(returned, clearArray: true);
            }
        }
    }
}
