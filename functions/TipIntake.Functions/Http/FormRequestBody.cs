using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using TipIntake.Core.Tips;

namespace TipIntake.Functions.Http;

/// <summary>Reads the reporter form posted without JavaScript: only its own fields, within firm size limits.</summary>
public static class FormRequestBody
{
    public const string MediaType = "application/x-www-form-urlencoded";
    public const string LanguageField = "lang";

    /// <summary>The hidden field carrying the page's <see cref="Core.Intake.SubmissionId"/>.</summary>
    public const string SubmissionField = "submission";

    /// <summary>The hidden field carrying the page's single-use ticket (docs/flood-control.md, "The no-script lane").</summary>
    public const string TicketField = "ticket";

    /// <summary>Far above the largest valid tip (a narrative of 20,000 characters, URL-encoded), far below harm.</summary>
    public const int MaxBodyBytes = 512 * 1024;

    public enum Status
    {
        Read,
        WrongMediaType,
        TooLarge,

        /// <summary>The body's framing is broken (400) or it came too slowly (408): <see cref="RequestBodyFailures"/>.</summary>
        Unreadable,
        TimedOut,
    }

    public static async Task<(Status Status, IReadOnlyDictionary<string, string> Fields)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var empty = new Dictionary<string, string>();
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase)
            // The form is UTF-8; another charset would be decoded by the framework, and UTF-7 throws there.
            || (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return (Status.WrongMediaType, empty);
        }

        // Counted as it arrives and never read past the limit, chunked or not (BoundedRequestBody), then parsed from
        // memory: the framework's own form reading checks each value's length, not the body's.
        var (status, body) = await BoundedRequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        Dictionary<string, StringValues> form;
        using (body)
        {
            if (status != BoundedRequestBody.Status.Read)
            {
                return (status switch
                {
                    BoundedRequestBody.Status.TooLarge => Status.TooLarge,
                    BoundedRequestBody.Status.TimedOut => Status.TimedOut,
                    _ => Status.Unreadable,
                }, empty);
            }

            try
            {
                using var reader = new FormReader(body!.AsStream(), Encoding.UTF8)
                {
                    ValueCountLimit = 64,
                    KeyLengthLimit = 64,
                    ValueLengthLimit = MaxBodyBytes,
                };
                form = await reader.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                return (Status.TooLarge, empty);
            }
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in TipForm.FieldNames.Append(LanguageField).Append(SubmissionField).Append(TicketField))
        {
            if (form.TryGetValue(name, out var values) && values.Count > 0 && values[0] is { } value)
            {
                fields[name] = value;
            }
        }

        return (Status.Read, fields);
    }
}
