using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using TipIntake.Core.Attachments;

namespace TipIntake.Infrastructure.Attachments;

/// <summary>
/// Moves uploads' ciphertext within one storage account (docs/attachments.md, "Storage"): Copy Blob from
/// <c>attachments-staging</c> into <c>attachments</c>, authorised by the destination's own credentials (a same-account
/// copy needs no SAS), and a delete of the staged blob.
/// </summary>
public sealed class AzureAttachmentBlobs(BlobServiceClient blobs) : IAttachmentBlobs
{
    /// <summary>Where quarantined uploads are kept in container <c>attachments</c> (no tip id has this form).</summary>
    public const string QuarantinePrefix = "quarantine/";

    /// <summary>How often a copy still pending is looked at; same-account copies usually finish in the call itself.</summary>
    private static readonly TimeSpan CopyPoll = TimeSpan.FromMilliseconds(200);

    private readonly BlobContainerClient _staging = blobs.GetBlobContainerClient(StorageNames.AttachmentsStagingContainer);
    private readonly BlobContainerClient _files = blobs.GetBlobContainerClient(StorageNames.AttachmentsContainer);

    public static string QuarantineNameOf(UploadId upload) => QuarantinePrefix + upload;

    public Task<bool> CopyToTipAsync(UploadId upload, string tipId, int number, CancellationToken cancellationToken) =>
        CopyAsync(upload, _files.GetBlobClient(AzureTipAttachmentStore.BlobNameOf(tipId, number)), cancellationToken);

    public Task<bool> CopyToQuarantineAsync(UploadId upload, CancellationToken cancellationToken) =>
        CopyAsync(upload, _files.GetBlobClient(QuarantineNameOf(upload)), cancellationToken);

    public async Task DeleteStagedAsync(UploadId upload, CancellationToken cancellationToken)
    {
        try
        {
            await _staging.GetBlobClient(upload.ToString()).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Deleting a staged upload", ex);
        }
    }

    public async Task DeleteQuarantinedAsync(UploadId upload, CancellationToken cancellationToken)
    {
        try
        {
            await _files.DeleteBlobIfExistsAsync(QuarantineNameOf(upload), DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Deleting a quarantined upload", ex);
        }
    }

    private async Task<bool> CopyAsync(UploadId upload, BlobClient target, CancellationToken cancellationToken)
    {
        var source = _staging.GetBlobClient(upload.ToString());
        try
        {
            var copy = await target.StartCopyFromUriAsync(source.Uri, cancellationToken: cancellationToken).ConfigureAwait(false);
            await copy.WaitForCompletionAsync(CopyPoll, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No staged blob: an earlier attempt copied it and deleted it — or it never was committed.
            return await ExistsAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Copying an upload", ex);
        }
    }

    private static async Task<bool> ExistsAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return await blob.ExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Looking for a copied upload", ex);
        }
    }
}
