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

    /// <summary>Reads at most <paramref name="maxLength"/> bytes (<see cref="BoundedRequestBody"/>); one byte more means too large, without reading the rest.</summary>
    public static async Task<(Status Status, string Text)> ReadAsync(HttpRequest request, int maxLength, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!HasJoseMediaType(request))
        {
            return (Status.WrongMediaType, "");
        }

        var (status, body) = await BoundedRequestBody.ReadAsync(request, maxLength, cancellationToken).ConfigureAwait(false);
        using (body)
        {
            if (status != BoundedRequestBody.Status.Read)
            {
                return (status switch
                {
                    BoundedRequestBody.Status.TooLarge => Status.TooLarge,
                    BoundedRequestBody.Status.TimedOut => Status.TimedOut,
                    _ => Status.Unreadable,
                }, "");
            }

            var bytes = body!.Bytes.Span.Trim("\r\n "u8);
            return Ascii.IsValid(bytes) ? (Status.Read, Encoding.ASCII.GetString(bytes)) : (Status.NotAscii, "");
        }
    }
}
