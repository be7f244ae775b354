using TipIntake.Core;
using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Attachments;

/// <summary>
/// The download route's answers (docs/attachments.md, "Download (triage)"): the file's headers — never what the
/// reporter's browser said its type was — and the problems of a download that cannot be served.
/// </summary>
public static class DownloadResponses
{
    public const string OctetStream = "application/octet-stream";

    /// <summary>The headers a file is sent with; the security middleware has set the rest (nosniff, CORP, no-store, the sandbox policy).</summary>
    public static void Apply(HttpResponse response, AttachmentDownload download)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(download);
        response.ContentType = OctetStream;
        response.ContentLength = download.Size;
        response.Headers.ContentDisposition = $"attachment; filename=\"{download.FileName}\"";
        response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(download.Sha256.Span)}:";
    }

    /// <summary>Takes the file's headers off an answer not yet started, which becomes a problem instead.</summary>
    public static void Withdraw(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.ContentType = null;
        response.ContentLength = null;
        response.Headers.ContentDisposition = default;
        response.Headers.Remove("Repr-Digest");
    }

    public static ProblemHttpResult NotFound() => Problems.Of(404, "attachment-not-found", "No such file", "This tip names no file with this number.");

    public static ProblemHttpResult NotAttached(AttachmentState state)
    {
        var problem = Problems.Of(409, "attachment-not-attached", "File not attached",
            "The tip names this file, but it is not stored with the tip (see state: awaited, missing, mismatch or over-limit), so there is nothing to download.");
        problem.ProblemDetails.Extensions["state"] = Codes.Of(state);
        return problem;
    }

    public static ProblemHttpResult KeyUnavailable() => Problems.Of(410, "attachment-key-unavailable", "File key unavailable",
        "The intake key version that opens this file is disabled or deleted. The attempt is recorded in the tip's trail.");

    public static ProblemHttpResult IntegrityFailed() => Problems.Of(500, "attachment-integrity-failed", "File damaged",
        "The stored file is not what the tip names (its key, its ciphertext or its hash). Nothing of it was sent; the failure is recorded in the tip's trail.");

    public static ProblemHttpResult Unavailable(HttpResponse response) => Problems.Retry(response, TimeSpan.FromSeconds(5), 503, "attachment-unavailable", "Temporarily unavailable",
        "The key service or storage is unavailable. Try again; the attempt is recorded in the tip's trail.");
}
