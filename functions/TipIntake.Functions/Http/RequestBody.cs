using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace TipIntake.Functions.Http;

/// <summary>Why a request body was not read: 415, 413, 400 (broken framing), 408, or what it holds is malformed.</summary>
public enum BodyFault
{
    None,
    WrongMediaType,
    TooLarge,
    Unreadable,
    TimedOut,
    Malformed,
}

/// <summary>
/// Reads a request body into memory, never more than a limit, whatever its transfer encoding: bytes are counted as
/// they arrive (a chunked body announces no length) and reading stops at the limit plus one byte. A body over the
/// limit is answered 413 at once and never buffered. One announced too long (Content-Length) is refused unread and
/// the connection closed after the answer. One found too long while reading (chunked) is not read any further; the
/// server discards the rest for at most its drain timeout (Kestrel: 5 s) — a proxy in front (the Functions host, the
/// local host) delivers the answer only once it has sent the whole body, and a connection closed under it would turn
/// the 413 into a 5xx. A broken framing or a body slower than the server's minimum rate is the client's fault (400, 408).
/// </summary>
public static class RequestBody
{
    /// <summary>A compact JWE, trimmed of line breaks and spaces, ASCII only; a charset parameter is ignored (the bytes must be ASCII).</summary>
    public static Task<(BodyFault Fault, string? Jwe)> ReadJoseAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken) =>
        ReadAsync(request, "application/jose", utf8Only: false, maxBytes, body => body.AsSpan().Trim("\r\n "u8) is var bytes && Ascii.IsValid(bytes)
            ? (BodyFault.None, Encoding.ASCII.GetString(bytes))
            : (BodyFault.Malformed, null), cancellationToken);

    /// <summary>
    /// A UTF-8 form body, parsed from memory (the framework's own form reading bounds each value, not the body): the
    /// first value of each of <paramref name="names"/>. Too many or too long fields are too large.
    /// </summary>
    public static async Task<(BodyFault Fault, IReadOnlyDictionary<string, string> Fields)> ReadFormAsync(
        HttpRequest request, IEnumerable<string> names, int maxBytes, CancellationToken cancellationToken)
    {
        var (fault, fields) = await ReadAsync<IReadOnlyDictionary<string, string>>(request, "application/x-www-form-urlencoded", utf8Only: true, maxBytes, body =>
        {
            using var reader = new FormReader(new MemoryStream(body.Array!, body.Offset, body.Count, writable: false), Encoding.UTF8)
                { ValueCountLimit = 64, KeyLengthLimit = 64, ValueLengthLimit = maxBytes };
            var form = reader.ReadForm();
            return (BodyFault.None, names.Where(name => form.TryGetValue(name, out var values) && values.Count > 0 && values[0] is not null)
                .ToDictionary(name => name, name => form[name][0]!, StringComparer.Ordinal));
        }, cancellationToken).ConfigureAwait(false);
        return (fault, fields ?? new Dictionary<string, string>());
    }

    /// <summary>A UTF-8 <c>application/json</c> body, read by <paramref name="parse"/>: null (or a throw of the parser) is malformed.</summary>
    public static Task<(BodyFault Fault, T? Value)> ReadJsonAsync<T>(
        HttpRequest request, int maxBytes, Func<ArraySegment<byte>, T?> parse, CancellationToken cancellationToken)
        where T : class =>
        ReadAsync<T>(request, "application/json", utf8Only: true, maxBytes, body => parse(body) is { } value ? (BodyFault.None, value) : (BodyFault.Malformed, null), cancellationToken);

    /// <summary>The status a fault is answered with, as a problem or as a page.</summary>
    public static int StatusOf(BodyFault fault) => fault switch
    {
        BodyFault.WrongMediaType => StatusCodes.Status415UnsupportedMediaType,
        BodyFault.TooLarge => StatusCodes.Status413PayloadTooLarge,
        BodyFault.TimedOut => StatusCodes.Status408RequestTimeout,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>As below, with a parser that does not await: its throw is a malformed body (JSON) or one too large (a form's bounds).</summary>
    private static Task<(BodyFault Fault, T? Value)> ReadAsync<T>(
        HttpRequest request, string mediaType, bool utf8Only, int maxBytes, Func<ArraySegment<byte>, (BodyFault, T?)> parse, CancellationToken cancellationToken) =>
        ReadAsync(request, mediaType, utf8Only, maxBytes, body =>
        {
            try
            {
                return Task.FromResult(parse(body));
            }
            catch (Exception exception) when (exception is JsonException or InvalidDataException)
            {
                // The parser's message may quote the body; no answer does.
                return Task.FromResult<(BodyFault, T?)>((exception is JsonException ? BodyFault.Malformed : BodyFault.TooLarge, default));
            }
        }, cancellationToken);

    /// <summary>
    /// Reads at most <paramref name="maxBytes"/> of a body of <paramref name="mediaType"/> (UTF-8 or no charset when
    /// <paramref name="utf8Only"/>: another would be decoded by the framework, and UTF-7 throws there) and hands it to
    /// <paramref name="consume"/>, which may await while it holds the body (staging a chunk). The pooled buffer is wiped
    /// when returned, once <paramref name="consume"/> has finished: a form body is a reporter's plaintext.
    /// </summary>
    public static async Task<(BodyFault Fault, T? Value)> ReadAsync<T>(
        HttpRequest request, string mediaType, bool utf8Only, int maxBytes, Func<ArraySegment<byte>, Task<(BodyFault, T?)>> consume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(consume);
        if (!HasMediaType(request, mediaType, utf8Only))
        {
            return (BodyFault.WrongMediaType, default);
        }

        if (request.ContentLength > maxBytes)
        {
            request.HttpContext.Response.Headers.Connection = "close";
            return (BodyFault.TooLarge, default);
        }

        // The server's own limit (Kestrel: 30 MB) would also bound its discarding of the rest after a 413, cutting the
        // connection under a proxy that is still sending: the drain timeout bounds that instead.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes + 1);
        try
        {
            var length = await request.Body.ReadAtLeastAsync(buffer.AsMemory(0, maxBytes + 1), maxBytes + 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return length > maxBytes ? (BodyFault.TooLarge, default) : await consume(new ArraySegment<byte>(buffer, 0, length)).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            return ((ex as BadHttpRequestException)?.StatusCode switch { 408 => BodyFault.TimedOut, 413 => BodyFault.TooLarge, _ => BodyFault.Unreadable }, default);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>Whether the request says its body is <paramref name="mediaType"/> (and UTF-8 or no charset when <paramref name="utf8Only"/>).</summary>
    public static bool HasMediaType(HttpRequest request, string mediaType, bool utf8Only)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed)
            && parsed.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)
            && (!utf8Only || !parsed.Charset.HasValue || parsed.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));
    }
}
