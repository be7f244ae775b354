using TipIntake.Core.Attachments;

namespace TipIntake.Functions.Triggers;

/// <summary>
/// A tip's file for staff (docs/attachments.md, "Download (triage)"), Readers and Editors: recorded before anything of
/// it is read, decrypted as it streams out, and cut off — never ended — when it proves not to be what its tip names, so
/// that no client takes a short or altered file for the file.
/// </summary>
public sealed class TriageAttachments(AttachmentDownloads downloads)
{
    [Function("TriageAttachmentDownload")]
    [ResponsePolicy(ContentPolicy.Download), StaffOnly(StaffAccess.Read)]
    public async Task<IResult> Download(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/triage/tips/{id}/attachments/{n}")] HttpRequest request,
        string id,
        string n,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (AttachmentDownloads.NumberOf(n) is not { } number)
        {
            return DownloadResponses.NotFound();
        }

        var response = request.HttpContext.Response;
        switch (await downloads.OpenAsync(id, number, request.StaffMember(), cancellationToken))
        {
            case DownloadOpening.Ready { Download: var download }:
                await using (download)
                {
                    DownloadResponses.Apply(response, download);
                    try
                    {
                        var end = await download.WriteAsync(response.Body, cancellationToken);
                        return end == DownloadEnd.Complete ? Results.Empty : Failed(request, end);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || request.HttpContext.RequestAborted.IsCancellationRequested)
                    {
                        // The staff member went away (or the host ended the invocation): no one is left to answer.
                        request.HttpContext.Abort();
                        return Results.Empty;
                    }
                }

            case DownloadOpening.NoTip:
                return Problems.TipNotFound();
            case DownloadOpening.NoAttachment:
                return DownloadResponses.NotFound();
            case DownloadOpening.NotAttached { State: var state }:
                return DownloadResponses.NotAttached(state);
            case DownloadOpening.KeyUnavailable:
                return DownloadResponses.KeyUnavailable();
            case DownloadOpening.IntegrityFailed:
                return DownloadResponses.IntegrityFailed();
            default:
                return DownloadResponses.Unavailable(response);
        }
    }

    /// <summary>
    /// Before the first byte, a problem in place of the file; after it, the connection is aborted: the client sees
    /// fewer bytes than Content-Length, never an ended answer.
    /// </summary>
    private static IResult Failed(HttpRequest request, DownloadEnd end)
    {
        var response = request.HttpContext.Response;
        if (!response.HasStarted)
        {
            DownloadResponses.Withdraw(response);
            return end == DownloadEnd.IntegrityFailed ? DownloadResponses.IntegrityFailed() : DownloadResponses.Unavailable(response);
        }

        request.HttpContext.Abort();
        return Results.Empty;
    }
}
