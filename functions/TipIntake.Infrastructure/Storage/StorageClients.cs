using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;

namespace TipIntake.Infrastructure.Storage;

/// <summary>
/// Registers the queue, table and blob clients with <c>Microsoft.Extensions.Azure</c>, from the <c>AzureWebJobsStorage</c>
/// connection exactly as the Functions host reads it: a connection string (Azurite, local development), or
/// identity-based settings (<c>AzureWebJobsStorage__queueServiceUri</c>, <c>__tableServiceUri</c>, <c>__blobServiceUri</c>,
/// <c>__credential</c>, <c>__clientId</c>) in Azure. A client is built when first asked for, so a host that never uses
/// storage starts without it.
/// </summary>
public static class StorageClients
{
    /// <summary>Intake answers a reporter who is waiting: fail over to a 503 within seconds rather than hang.</summary>
    private static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(10);

    private const string SdkLogCategoryPrefix = "Azure.";

    public static IServiceCollection AddStorageClients(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageNames.Connection);

        // The SDK's event logs name request URLs, and a table row's URL holds its keys (a tip id): Microsoft.Extensions.Azure
        // forwards those events to ILogger (categories Azure.Core, Azure.Identity, ...), which reaches Application Insights.
        // Neither written nor forwarded.
        services.AddLogging(logging => logging.AddFilter(SdkLogCategoryPrefix, LogLevel.None));
        services.AddAzureClients(clients =>
        {
            clients.ConfigureDefaults(options =>
            {
                options.Diagnostics.IsLoggingEnabled = false;
                options.Retry.MaxRetries = 2;
                options.Retry.Mode = RetryMode.Exponential;
                options.Retry.Delay = TimeSpan.FromMilliseconds(200);
                options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
                options.Retry.NetworkTimeout = NetworkTimeout;
            });

            // The host's reading of __credential and __clientId.
            clients.UseCredential(_ => Credential(section));

            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential) =>
            {
                options.MessageEncoding = QueueMessageEncoding.Base64;
                return ConnectionString(section) is { } connectionString
                    ? new QueueServiceClient(connectionString, options)
                    : new QueueServiceClient(RequiredUri(section, "queueServiceUri"), credential, options);
            });
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential) =>
                ConnectionString(section) is { } connectionString
                    ? new TableServiceClient(connectionString, options)
                    : new TableServiceClient(RequiredUri(section, "tableServiceUri"), credential, options));
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential) =>
                ConnectionString(section) is { } connectionString
                    ? new BlobServiceClient(connectionString, options)
                    : new BlobServiceClient(RequiredUri(section, "blobServiceUri"), credential, options));
        });
        return services;
    }

    private static TokenCredential Credential(IConfigurationSection section) =>
        string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? new ManagedIdentityCredential(section["clientId"] is { Length: > 0 } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = section["clientId"] });

    private static string? ConnectionString(IConfigurationSection section) => section.Value is { Length: > 0 } value ? value : null;

    private static Uri RequiredUri(IConfigurationSection section, string key) =>
        Uri.TryCreate(section[key], UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException(
                $"Storage is not configured: set {StorageNames.Connection} to a connection string, or {StorageNames.Connection}__{key} for identity-based access.");
}
