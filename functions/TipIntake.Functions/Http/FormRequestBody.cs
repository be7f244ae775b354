using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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

        if (request.ContentLength > MaxBodyBytes)
        {
            return (Status.TooLarge, empty);
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(
                new FormOptions { ValueCountLimit = 64, KeyLengthLimit = 64, ValueLengthLimit = MaxBodyBytes },
                cancellationToken);
        }
        catch (InvalidDataException)
        {
            return (Status.TooLarge, empty);
        }
        catch (IOException ex)
        {
            return (RequestBodyFailures.StatusOf(ex) switch
            {
                StatusCodes.Status408RequestTimeout => Status.TimedOut,
                StatusCodes.Status413PayloadTooLarge => Status.TooLarge,
                _ => Status.Unreadable,
            }, empty);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in TipForm.FieldNames.Append(LanguageField).Append(SubmissionField))
        {
            if (form.TryGetValue(name, out var values) && values.Count > 0 && values[0] is { } value)
            {
                fields[name] = value;
            }
        }

        return (Status.Read, fields);
    }
}
