using Azure.Storage.Blobs.Models;

namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// Container <c>tips-inbound-jwe</c>: one blob per claim-checked JWE, named by tip id, holding the compact JWE as sent
/// (still encrypted). The Bicep templates give the app's identity Storage Blob Data Contributor on this container only.
/// </summary>
public sealed class BlobClaimCheckStore(BlobServiceClient blobs) : IClaimCheckStore
{
    private static readonly BlobHttpHeaders JoseHeaders = new() { ContentType = "application/jose" };

    private readonly BlobContainerClient _container = blobs.GetBlobContainerClient(StorageNames.ClaimCheckContainer);

    public async Task PutAsync(string name, string compactJwe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compactJwe);
        try
        {
            await _container.GetBlobClient(name)
                .UploadAsync(BinaryData.FromBytes(Encoding.ASCII.GetBytes(compactJwe)), new BlobUploadOptions { HttpHeaders = JoseHeaders }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Writing a claim-checked JWE", ex);
        }
    }

    public async Task<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var content = await _container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return Encoding.ASCII.GetString(content.Value.Content.ToMemory().Span);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Reading a claim-checked JWE", ex);
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await _container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken)
            .OrUnavailableAsync("Deleting a claim-checked JWE", cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<ClaimCheck> ListWrittenBeforeAsync(
        DateTimeOffset writtenBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in _container.GetBlobsAsync(cancellationToken: cancellationToken)
            .OrUnavailableAsync("Listing claim-checked JWEs", cancellationToken).ConfigureAwait(false))
        {
            if (blob.Properties.LastModified is { } written && written < writtenBefore)
            {
                yield return new ClaimCheck(blob.Name, written);
            }
        }
    }
}
