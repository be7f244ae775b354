using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using TipIntake.Core.Attachments;
using TipIntake.Core.Attachments.Scrubbing;

namespace TipIntake.Functions.Attachments;

/// <summary>
/// The no-script form with files (docs/attachments.md, "The no-script path"): <c>multipart/form-data</c> read as a
/// stream with <see cref="MultipartReader"/> — never <c>ReadFormAsync</c>, which spools files to temporary files. The
/// page puts its file input last, so the text fields come first: they are read into memory (at most a limit in all),
/// then the files, one part at a time, as <see cref="StoreFilesAsync"/> is asked for them, each straight into a
/// <see cref="FormAttachmentWriter"/>. The whole body is counted as it is read: a post whose files were refused is
/// read to its end and discarded, so that the reporter gets a page instead of a reset (SecureDrop #1714) — up to the
/// hard cap, past which reading stops and the server closes the connection after its answer (as for every body over
/// its limit, <see cref="RequestBody"/>).
/// </summary>
public sealed class MultipartForm
{
    private const int MaxFields = 64;

    /// <summary>Browsers' names for the allowed types that are not the allow-list's own.</summary>
    private static readonly Dictionary<string, string> TypeAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpg"] = "image/jpeg",
        ["image/pjpeg"] = "image/jpeg",
        ["audio/mp3"] = "audio/mpeg",
        ["audio/x-m4a"] = "audio/mp4",
        ["audio/x-wav"] = "audio/wav",
        ["audio/wave"] = "audio/wav",
        ["audio/vnd.wave"] = "audio/wav",
        ["audio/opus"] = "audio/ogg",
    };

    private readonly MultipartReader _reader;
    private readonly CappedStream _body;
    private MultipartSection? _pending;

    private MultipartForm(MultipartReader reader, CappedStream body)
    {
        _reader = reader;
        _body = body;
    }

    public static bool IsMultipart(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request?.ContentType, out var parsed)
        && parsed.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the text fields up to the first file part: the first value of each of <paramref name="names"/>, at most
    /// <paramref name="maxTextBytes"/> of text in all. The form returned goes on to the files.
    /// </summary>
    public static async Task<(BodyFault Fault, IReadOnlyDictionary<string, string> Fields, MultipartForm? Form)> ReadFieldsAsync(
        HttpRequest request, IReadOnlyCollection<string> names, int maxTextBytes, long hardCap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 70 } boundary)
        {
            return (BodyFault.WrongMediaType, fields, null);
        }

        if (request.ContentLength > hardCap)
        {
            request.HttpContext.Response.Headers.Connection = "close";
            return (BodyFault.TooLarge, fields, null);
        }

        // The server's own limit (Kestrel: 30 MB) is below the hard cap; the count here bounds the body instead.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        var body = new CappedStream(request.Body, hardCap);
        var form = new MultipartForm(new MultipartReader(boundary, body) { HeadersCountLimit = 8, HeadersLengthLimit = 4096 }, body);
        try
        {
            var text = 0;
            for (var count = 0; await form._reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section; count++)
            {
                if (count >= MaxFields || !ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    return (count >= MaxFields ? BodyFault.TooLarge : BodyFault.Malformed, fields, null);
                }

                if (disposition.IsFileDisposition())
                {
                    form._pending = section;
                    break;
                }

                var value = await ReadTextAsync(section.Body, maxTextBytes - text, cancellationToken).ConfigureAwait(false);
                if (value is null)
                {
                    return (BodyFault.TooLarge, fields, null);
                }

                text += Encoding.UTF8.GetByteCount(value);
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (names.Contains(name) && !fields.ContainsKey(name))
                {
                    fields[name] = value;
                }
            }

            return (BodyFault.None, fields, form);
        }
        catch (InvalidDataException)
        {
            return (body.OverCap ? BodyFault.TooLarge : BodyFault.Malformed, fields, null);
        }
        catch (IOException ex)
        {
            return (ex is BadHttpRequestException { StatusCode: 408 } ? BodyFault.TimedOut : body.OverCap ? BodyFault.TooLarge : BodyFault.Unreadable, fields, null);
        }
    }

    /// <summary>
    /// Reads, encrypts and stores every file part (an empty file input sends a part with no file name: skipped),
    /// within the no-script limits; with <paramref name="clean"/>, JPEG and PNG photos are cleaned on the way
    /// (<see cref="ImageScrubbingStream"/>). On a refusal nothing more is stored; the caller reads the rest with
    /// <see cref="DrainAsync"/>.
    /// </summary>
    public async Task<FormFiles> StoreFilesAsync(FormAttachmentWriter writer, IntakePublicKey key, AttachmentOptions limits, bool clean, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(limits);
        var entries = new List<AttachmentEntry>();
        try
        {
            return await StoreAsync(writer, key, limits, clean, entries, cancellationToken).ConfigureAwait(false);
        }
        catch (ImageScrubRefusedException)
        {
            // A photo the rules cannot clean is never sent half-cleaned: the reporter chooses (leave it out, or untick).
            return new FormFiles(entries, FormFilesRefusal.NotCleanable);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            // Past the hard cap, a broken part, or a client gone: nothing more is stored, and nothing is named.
            return new FormFiles(entries, _body.OverCap ? FormFilesRefusal.TooLarge : FormFilesRefusal.Unreadable);
        }
    }

    private async Task<FormFiles> StoreAsync(
        FormAttachmentWriter writer, IntakePublicKey key, AttachmentOptions limits, bool clean, List<AttachmentEntry> entries, CancellationToken cancellationToken)
    {
        var total = 0L;
        for (var section = _pending; section is not null; section = await _reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false))
        {
            _pending = null;
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition()
                || HeaderUtilities.RemoveQuotes(disposition.FileName).Value is not { Length: > 0 })
            {
                continue;
            }

            if (entries.Count == limits.FormMaxFiles)
            {
                return new FormFiles(entries, FormFilesRefusal.TooMany);
            }

            if (TypeOf(section.ContentType) is not { } type)
            {
                return new FormFiles(entries, FormFilesRefusal.TypeNotAllowed);
            }

            var number = entries.Count + 1;
            var name = $"{KindOf(type)}-{number}.{AttachmentManifestReader.Types[type]}";
            var cleanable = ImageScrubbingStream.CleanableTypes.Contains(type);
            await using var scrubbed = clean && cleanable ? new ImageScrubbingStream(section.Body) : null;
            var outcome = await writer.WriteAsync(scrubbed ?? section.Body, type, name, key, Math.Min(limits.FormMaxFileBytes, limits.FormMaxBytes - total), cancellationToken)
                .ConfigureAwait(false);
            if (outcome is not FormAttachmentOutcome.Written written)
            {
                return new FormFiles(entries, FormFilesRefusal.TooLarge);
            }

            // A photo the reporter chose not to clean is sent as the original, like the script path's "keep the original".
            entries.Add(scrubbed is not null ? written.Entry with { Handling = "scrubbed", Removed = scrubbed.Report.Removed }
                : cleanable ? written.Entry with { Handling = "original" }
                : written.Entry);
            total += written.Entry.Size;
        }

        return new FormFiles(entries);
    }

    /// <summary>Reads the rest of the body and discards it (up to the hard cap), so that the answer is a page and not a reset.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Over the cap, or the client went away: either way nothing more is read.
        }
    }

    /// <summary>The allow-list's type for what the browser said, or null.</summary>
    public static string? TypeOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed.MediaType.Value is not { } mediaType)
        {
            return null;
        }

        var type = TypeAliases.GetValueOrDefault(mediaType, mediaType.ToLowerInvariant());
        return AttachmentManifestReader.Types.ContainsKey(type) ? type : null;
    }

    private static string KindOf(string type) => type switch
    {
        "application/pdf" => "document",
        "text/plain" => "text",
        _ when type.StartsWith("image/", StringComparison.Ordinal) => "photo",
        _ => "audio",
    };

    /// <summary>A text part as UTF-8, or null when it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<string?> ReadTextAsync(Stream section, int maxBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Max(0, maxBytes) + 1];
        var length = await section.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var text = length > maxBytes ? null : Encoding.UTF8.GetString(buffer, 0, length);
        Array.Clear(buffer);
        return text;
    }

    /// <summary>A request body that fails once more than a cap has been read from it.</summary>
    private sealed class CappedStream(Stream inner, long cap) : Core.AsyncReadOnlyStream
    {
        private long _read;

        public bool OverCap => _read > cap;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (OverCap)
            {
                throw new IOException("The body is over the hard cap.");
            }

            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, cap + 1 - _read)], cancellationToken).ConfigureAwait(false);
            _read += read;
            return OverCap ? throw new IOException("The body is over the hard cap.") : read;
        }
    }
}
