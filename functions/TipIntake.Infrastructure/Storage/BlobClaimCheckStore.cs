using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using TipIntake.Core.Intake;

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
        try
        {
            await _container.GetBlobClient(name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Deleting a claim-checked JWE", ex);
        }
    }

    public async IAsyncEnumerable<ClaimCheck> ListWrittenBeforeAsync(
        DateTimeOffset writtenBefore, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = _container.GetBlobsAsync(cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        try
        {
            while (await NextPageAsync(pages, cancellationToken).ConfigureAwait(false))
            {
                foreach (var blob in pages.Current.Values)
                {
                    if (blob.Properties.LastModified is { } written && written < writtenBefore)
                    {
                        yield return new ClaimCheck(blob.Name, written);
                    }
                }
            }
        }
        finally
        {
            await pages.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<bool> NextPageAsync(IAsyncEnumerator<Page<BlobItem>> pages, CancellationToken cancellationToken)
    {
        try
        {
            return await pages.MoveNextAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsUnavailable(ex, cancellationToken))
        {
            throw StorageFailures.Wrap("Listing claim-checked JWEs", ex);
        }
    }
}
