using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TipIntake.Functions.Http;

/// <summary>Reads an <c>application/jose</c> body: never more than the limit, and only if it is ASCII.</summary>
public static class JoseRequestBody
{
    public const string MediaType = "application/jose";

    public enum Status
    {
        Read,
        WrongMediaType,
        TooLarge,
        NotAscii,

        /// <summary>The body's framing is broken (400) or it came too slowly (408): <see cref="RequestBodyFailures"/>.</summary>
        Unreadable,
        TimedOut,
    }

    public static bool HasJoseMediaType(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed)
            && parsed.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads at most <paramref name="maxLength"/> bytes; one byte more means too large, without reading the rest.</summary>
    public static async Task<(Status Status, string Text)> ReadAsync(HttpRequest request, int maxLength, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!HasJoseMediaType(request))
        {
            return (Status.WrongMediaType, "");
        }

        if (request.ContentLength > maxLength)
        {
            return (Status.TooLarge, "");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxLength + 1);
        try
        {
            var length = 0;
            int read;
            try
            {
                while (length <= maxLength
                    && (read = await request.Body.ReadAsync(buffer.AsMemory(length, maxLength + 1 - length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }
            }
            catch (IOException ex)
            {
                return (RequestBodyFailures.StatusOf(ex) switch
                {
                    StatusCodes.Status408RequestTimeout => Status.TimedOut,
                    StatusCodes.Status413PayloadTooLarge => Status.TooLarge,
                    _ => Status.Unreadable,
                }, "");
            }

            if (length > maxLength)
            {
                return (Status.TooLarge, "");
            }

            var bytes = buffer.AsSpan(0, length).Trim("\r\n "u8);
            return Ascii.IsValid(bytes) ? (Status.Read, Encoding.ASCII.GetString(bytes)) : (Status.NotAscii, "");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
