using Microsoft.Extensions.Options;
using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// The resumable upload routes (docs/attachments.md, "The upload protocol, for other clients"): create, send a chunk,
/// ask what arrived, complete. Each request's own shape is checked first, then its stamp (spent like a lookup's: checked
/// at the floor, not counted toward it, since chunks are not reports) — or, for the stampless ask of what arrived, a
/// token of its shared bucket — and only then is storage touched. A chunk is
/// read into one pooled buffer of at most <c>chunkBytes</c> + 1 bytes. The upload id travels in a header, never in
/// the URL, and is never logged.
/// </summary>
[ResponsePolicy(ContentPolicy.Strict)]
public sealed class Uploads(UploadService uploads, UploadGate budget, FloodGate flood, IOptions<AttachmentOptions> options)
{
    /// <summary>The header that carries the upload id.</summary>
    public const string UploadHeader = "TipIntake-Upload";

    private const string Json = "application/json";
    private const string OctetStream = "application/octet-stream";

    [Function("UploadCreate")]
    public Task<IResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/uploads")] HttpRequest request, CancellationToken cancellationToken) =>
        WithJsonAsync(request, UploadMessages.MaxCreateBytes, body => UploadMessages.ReadCreate(body), (id, values) => uploads.Check(values.Chunks, values.ChunkBytes) switch
        {
            UploadShapeFault.Malformed => Task.FromResult<IResult>(UploadProblems.Malformed()),
            UploadShapeFault.TooLarge => Task.FromResult<IResult>(UploadProblems.TooLarge(options.Value.MaxFileBytes)),
            _ => StampedAsync(request, async () =>
            {
                var created = new UploadCreatedBody(id.ToString(), values.Chunks, values.ChunkBytes);
                return await uploads.CreateAsync(id, values.Chunks, values.ChunkBytes, cancellationToken) switch
                {
                    CreateOutcome.Created => TypedResults.Json(created, ReporterJsonContext.Default.UploadCreatedBody, Json, StatusCodes.Status201Created),
                    CreateOutcome.Repeated => TypedResults.Json(created, ReporterJsonContext.Default.UploadCreatedBody, Json),
                    CreateOutcome.TooManyOpen => UploadProblems.TooManyOpen(request.HttpContext.Response),
                    _ => UploadProblems.Conflict(),
                };
            }, cancellationToken),
        }, cancellationToken);

    [Function("UploadChunk")]
    public async Task<IResult> Chunk(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/uploads/chunks/{index}")] HttpRequest request,
        string index,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Refused(request, out var id) is { } refused)
        {
            return refused;
        }

        if (ChunkIndexOf(index) is not { } number)
        {
            return UploadProblems.IndexMalformed();
        }

        if (!RequestBody.HasMediaType(request, OctetStream, utf8Only: false))
        {
            return Problems.ForBody(BodyFault.WrongMediaType, OctetStream);
        }

        if (ContentDigest.TryRead(request, out var claimed) is var digestFault and not ContentDigestFault.None)
        {
            return UploadProblems.Digest(digestFault);
        }

        if (request.ContentLength > ChunkLayout.LargeChunkBytes)
        {
            request.HttpContext.Response.Headers.Connection = "close";
            return UploadProblems.ChunkTooLarge();
        }

        return await StampedAsync(request, async () =>
        {
            var record = await uploads.FindAsync(id, cancellationToken);
            if (UploadService.Admit(record, number) is { } refused)
            {
                return UploadProblems.Chunk(refused);
            }

            // An announced length is judged before the budget is spent on it; a chunked body is judged as it is read.
            if (request.ContentLength is { } announced && announced != record!.ChunkBytes)
            {
                return announced > record.ChunkBytes ? UploadProblems.ChunkTooLarge() : UploadProblems.Chunk(ChunkOutcome.SizeMismatch);
            }

            if (!await budget.TryTakeAsync(record!.ChunkBytes, cancellationToken))
            {
                return UploadProblems.RateLimited(request.HttpContext.Response);
            }

            var (fault, outcome) = await RequestBody.ReadAsync(request, OctetStream, utf8Only: false, record.ChunkBytes,
                async body => (BodyFault.None, (ChunkOutcome?)await uploads.StageAsync(id, record, number, body, claimed, cancellationToken)), cancellationToken);
            return fault switch
            {
                BodyFault.None when outcome == ChunkOutcome.Staged => TypedResults.NoContent(),
                BodyFault.None => UploadProblems.Chunk(outcome!.Value),
                BodyFault.TooLarge => UploadProblems.ChunkTooLarge(),
                _ => Problems.ForBody(fault, OctetStream),
            };
        }, cancellationToken);
    }

    [Function("UploadProgress")]
    public async Task<IResult> Progress(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/uploads")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Refused(request, out var id) is { } refused)
        {
            return refused;
        }

        try
        {
            // No stamp (a read): the shared bucket of status reads is what bounds its cost.
            if (!await budget.TryTakeStatusReadAsync(cancellationToken))
            {
                return UploadProblems.StatusReadsLimited(request.HttpContext.Response);
            }

            return await uploads.ProgressAsync(id, cancellationToken) is { } progress
                ? TypedResults.Json(UploadProgressBody.Of(progress), ReporterJsonContext.Default.UploadProgressBody, Json)
                : UploadProblems.Unknown();
        }
        catch (StorageUnavailableException)
        {
            return UploadProblems.Unavailable(request.HttpContext.Response);
        }
    }

    [Function("UploadComplete")]
    public Task<IResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/uploads/complete")] HttpRequest request, CancellationToken cancellationToken) =>
        WithJsonAsync(request, UploadMessages.MaxCompleteBytes, body => UploadMessages.ReadComplete(body), (id, digests) => StampedAsync(request, async () =>
            await uploads.CompleteAsync(id, digests, cancellationToken) switch
            {
                CompleteOutcome.Completed completed => TypedResults.Json(new UploadDigestBody(JoseBase64.Encode(completed.Digest)), ReporterJsonContext.Default.UploadDigestBody, Json),
                CompleteOutcome.UnknownUpload => UploadProblems.Unknown(),
                CompleteOutcome.WrongCount => UploadProblems.Malformed(),
                CompleteOutcome.Incomplete incomplete => UploadProblems.Incomplete(incomplete.Missing),
                _ => UploadProblems.Conflict(),
            }, cancellationToken), cancellationToken);

    /// <summary>
    /// 404 while uploads are off (<see cref="AttachmentOptions.UploadsEnabled"/>), else 400 for a missing or malformed
    /// upload id: null when the request may go on with <paramref name="id"/>. The id travels in the
    /// <see cref="UploadHeader"/> header, never in the URL: request lines are logged by the Functions host and kept by
    /// Application Insights with their times, and an upload id with the times of its chunks would date its tip to the
    /// second (docs/attachments.md, "The upload protocol").
    /// </summary>
    private ProblemHttpResult? Refused(HttpRequest request, out UploadId id)
    {
        id = default;
        if (!options.Value.UploadsEnabled)
        {
            return Problems.NotFound();
        }

        var header = request.Headers[UploadHeader];
        return header.Count == 1 && UploadId.TryParse(header[0], out id) ? null : UploadProblems.IdInvalid();
    }

    /// <summary>A decimal index from 0 in its one spelling (no sign, no leading zeros), below 2^31; null otherwise.</summary>
    public static int? ChunkIndexOf(string? text) =>
        text is { Length: > 0 and <= 10 } && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0')
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? index
            : null;

    /// <summary>The upload id, then the JSON body as <paramref name="read"/> reads it (at most <paramref name="maxBytes"/>), then <paramref name="act"/>.</summary>
    private async Task<IResult> WithJsonAsync<T>(
        HttpRequest request, int maxBytes, Func<ArraySegment<byte>, T?> read, Func<UploadId, T, Task<IResult>> act, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Refused(request, out var id) is { } refused)
        {
            return refused;
        }

        var (fault, value) = await RequestBody.ReadJsonAsync(request, maxBytes, read, cancellationToken);
        return fault switch
        {
            BodyFault.None => await act(id, value!),
            BodyFault.Malformed => UploadProblems.Malformed(),
            BodyFault.TooLarge => UploadProblems.RequestTooLarge(),
            _ => Problems.ForBody(fault, Json),
        };
    }

    /// <summary>Admits the request's stamp, then runs <paramref name="act"/>; storage failures become 503.</summary>
    private async Task<IResult> StampedAsync(HttpRequest request, Func<Task<IResult>> act, CancellationToken cancellationToken)
    {
        try
        {
            var decision = await flood.AdmitLookupAsync(SubmitTip.StampOf(request), cancellationToken);
            return decision.IsAdmitted ? await act() : Problems.ForFlood(request.HttpContext.Response, decision);
        }
        catch (StorageUnavailableException)
        {
            return UploadProblems.Unavailable(request.HttpContext.Response);
        }
    }
}
