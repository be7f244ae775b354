using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Attachments;

/// <summary>The upload routes' own problems (docs/attachments.md, "The upload protocol"); the stamp's are <see cref="Problems.ForFlood"/>.</summary>
public static class UploadProblems
{
    public static ProblemHttpResult IdInvalid() => Problems.Of(400, "upload-id-invalid", "Malformed upload id",
        "The TipIntake-Upload header must hold one upload id: 22 base64url characters (16 random bytes), chosen once per file.");

    public static ProblemHttpResult Malformed() => Problems.Of(400, "upload-malformed", "Malformed upload request",
        """Create with exactly {"v":1,"chunks":n,"chunkBytes":n}: chunkBytes 262160 or 1048592, chunks a count on the padding ladder. """
        + """Complete with exactly {"v":1,"chunkDigests":[…]}: one 43-character base64url SHA-256 per chunk, in index order.""");

    public static ProblemHttpResult TooLarge(long maxFileBytes) => Problems.Of(422, "upload-too-large", "Upload too large",
        $"chunks × (chunkBytes − 16) may be at most {maxFileBytes.ToString(CultureInfo.InvariantCulture)} bytes.");

    public static ProblemHttpResult RequestTooLarge() => Problems.Of(413, "too-large", "Request too large", "This request's JSON body is larger than the protocol allows.");

    public static ProblemHttpResult Conflict() => Problems.Of(409, "upload-conflict", "Upload exists with other values",
        "This upload id is taken by an upload with other values, or one completed with other chunk digests. Choose a fresh id for a new file.");

    public static ProblemHttpResult Unknown() => Problems.Of(404, "upload-unknown", "No such upload", "No upload has this id: it was never created, or it was swept.");

    public static ProblemHttpResult Complete() => Problems.Of(409, "upload-complete", "Upload completed", "The upload is completed: its chunks can no longer change.");

    public static ProblemHttpResult Incomplete(IReadOnlyList<int> missing)
    {
        var problem = Problems.Of(409, "upload-incomplete", "Chunks missing",
            "Not every chunk is staged with the digest named for it: send the chunks listed in missing, then complete again.");
        problem.ProblemDetails.Extensions["missing"] = missing;
        return problem;
    }

    public static ProblemHttpResult IndexMalformed() => Problems.Of(400, "chunk-index-malformed", "Malformed chunk index",
        "A chunk index is a decimal number from 0, without sign or leading zeros.");

    public static ProblemHttpResult Chunk(ChunkOutcome outcome) => outcome switch
    {
        ChunkOutcome.UnknownUpload => Unknown(),
        ChunkOutcome.UploadComplete => Complete(),
        ChunkOutcome.IndexOutOfRange => Problems.Of(422, "chunk-index-out-of-range", "Chunk index out of range", "The index is not below the upload's count of chunks."),
        ChunkOutcome.SizeMismatch => Problems.Of(400, "chunk-size-mismatch", "Wrong chunk size", "A chunk is exactly the upload's chunkBytes long."),
        ChunkOutcome.DigestMismatch => Problems.Of(422, "chunk-digest-mismatch", "Chunk does not match its digest",
            "The body's SHA-256 is not the one Content-Digest names: it was corrupted on the way. Send it again."),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Not a refusal."),
    };

    public static ProblemHttpResult ChunkTooLarge() => Problems.Of(413, "chunk-too-large", "Chunk too large", "A chunk is exactly the upload's chunkBytes long, and never more.");

    public static ProblemHttpResult Digest(ContentDigestFault fault) => fault == ContentDigestFault.Missing
        ? Problems.Of(400, "content-digest-missing", "Content-Digest required", "Send Content-Digest: sha-256=:<base64 of the body's SHA-256>: (RFC 9530).")
        : Problems.Of(400, "content-digest-malformed", "Malformed Content-Digest", "Content-Digest's sha-256 is a byte sequence, :<base64>:, of 32 bytes (RFC 9530).");

    public static ProblemHttpResult RateLimited(HttpResponse response) => Problems.Retry(response, UploadGate.RetryAfter, 429, "rate-limited", "Too many bytes for now",
        "The service takes only so many upload bytes a second. Wait as Retry-After says, then send the chunk again with a fresh stamp.");

    public static ProblemHttpResult TooManyOpen(HttpResponse response) => Problems.Retry(response, UploadService.TooManyOpenRetryAfter, 429, "rate-limited", "Too many uploads open",
        "The service keeps only so many uploads open at once, and that many are. Wait as Retry-After says, then create the upload again with a fresh stamp.");

    public static ProblemHttpResult StatusReadsLimited(HttpResponse response) => Problems.Retry(response, UploadGate.RetryAfter, 429, "rate-limited", "Too many questions for now",
        "The service answers only so many questions about uploads a second. Wait as Retry-After says, then ask again.");

    public static ProblemHttpResult Unavailable(HttpResponse response) => Problems.Retry(response, TimeSpan.FromSeconds(5), 503, "unavailable", "Temporarily unavailable",
        "Storage is unavailable; the request may or may not have taken effect. Send it again later with a fresh stamp: every upload request is safe to repeat.");
}
