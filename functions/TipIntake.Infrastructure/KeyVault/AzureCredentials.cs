using Azure.Identity;

namespace TipIntake.Infrastructure.KeyVault;

/// <summary>
/// The credential for Key Vault: in Azure (a managed identity endpoint is present) the user-assigned managed identity
/// named by <c>AZURE_CLIENT_ID</c>, or the system-assigned one; elsewhere <see cref="DefaultAzureCredential"/>
/// (environment, workload identity, Azure CLI, …), which reads <c>AZURE_CLIENT_ID</c> too.
/// </summary>
public static class AzureCredentials
{
    public static TokenCredential Create()
    {
        var clientId = Environment.GetEnvironmentVariable("AZURE_CLIENT_ID");
        var inAzure = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MSI_ENDPOINT"));
        if (inAzure)
        {
            return new ManagedIdentityCredential(string.IsNullOrEmpty(clientId)
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrEmpty(clientId) ? null : clientId,
            ExcludeInteractiveBrowserCredential = true,
        });
    }
}
