using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// Builds the queue, table and blob clients from the <c>AzureWebJobsStorage</c> connection exactly as the Functions
/// host reads it: a connection string (Azurite, local development), or identity-based settings
/// (<c>AzureWebJobsStorage__queueServiceUri</c>, <c>__tableServiceUri</c>, <c>__blobServiceUri</c>, <c>__credential</c>,
/// <c>__clientId</c>) in Azure.
/// </summary>
public static class StorageClients
{
    /// <summary>Intake answers a reporter who is waiting: fail over to a 503 within seconds rather than hang.</summary>
    private static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(10);

    public static QueueServiceClient CreateQueueServiceClient(IConfiguration configuration)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        ConfigureRetry(options.Retry);
        var section = configuration.GetSection(StorageNames.Connection);
        return section.Value is { Length: > 0 } connectionString
            ? new QueueServiceClient(connectionString, options)
            : new QueueServiceClient(RequiredUri(section, "queueServiceUri"), Credential(section), options);
    }

    public static TableServiceClient CreateTableServiceClient(IConfiguration configuration)
    {
        var options = new TableClientOptions();
        ConfigureRetry(options.Retry);
        var section = configuration.GetSection(StorageNames.Connection);
        return section.Value is { Length: > 0 } connectionString
            ? new TableServiceClient(connectionString, options)
            : new TableServiceClient(RequiredUri(section, "tableServiceUri"), Credential(section), options);
    }

    public static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration)
    {
        var options = new BlobClientOptions();
        ConfigureRetry(options.Retry);
        var section = configuration.GetSection(StorageNames.Connection);
        return section.Value is { Length: > 0 } connectionString
            ? new BlobServiceClient(connectionString, options)
            : new BlobServiceClient(RequiredUri(section, "blobServiceUri"), Credential(section), options);
    }

    private static void ConfigureRetry(RetryOptions retry)
    {
        retry.MaxRetries = 2;
        retry.Mode = RetryMode.Exponential;
        retry.Delay = TimeSpan.FromMilliseconds(200);
        retry.MaxDelay = TimeSpan.FromSeconds(2);
        retry.NetworkTimeout = NetworkTimeout;
    }

    private static Uri RequiredUri(IConfigurationSection section, string key) =>
        Uri.TryCreate(section[key], UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException(
                $"Storage is not configured: set {StorageNames.Connection} to a connection string, or {StorageNames.Connection}__{key} for identity-based access.");

    private static TokenCredential Credential(IConfigurationSection section) =>
        string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(section["clientId"]))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });
}
