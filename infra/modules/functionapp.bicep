// The Function app on Flex Consumption (FC1, Linux, .NET 10 isolated worker). Every connection is identity-based
// through the user-assigned managed identity: no storage keys, no connection secrets, no publishing credentials.

@description('Azure region.')
param location string

@description('Tags for the plan; the site adds azd-service-name.')
param tags object

@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('The service name in azure.yaml; azd finds the app by this tag.')
param serviceName string

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('Storage account name (AzureWebJobsStorage, identity-based).')
param storageAccountName string

@description('URL of the blob container that holds deployment packages.')
param deploymentContainerUrl string

@description('Key Vault URI, e.g. https://kv-x.vault.azure.net/.')
param keyVaultUri string

@description('Name of the intake key.')
param keyName string

@description('Application Insights connection string (ingestion needs an Entra ID token as well: local auth is off).')
param applicationInsightsConnectionString string

@description('Salt receipts were hashed with before the pepper (base64, at least 16 bytes; not a secret): kept to verify those.')
param receiptSalt string

@secure()
@description('Secret pepper of the stored receipt hashes (base64, at least 32 bytes).')
param receiptPepper string

@secure()
@description('Flood control\'s challenge MAC key (base64, at least 32 bytes), shared by every instance.')
param floodControlChallengeKey string

@minValue(1)
@maxValue(1000)
@description('Most instances Flex Consumption may scale out to.')
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Memory of each instance, in MB.')
param instanceMemoryMB int = 2048

@description('Subnet for outbound VNet integration; empty for none.')
param virtualNetworkSubnetId string = ''

var storageSuffix = environment().suffixes.storage

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // No ARRAffinity cookie: reporters get no cookie at all.
    clientAffinityEnabled: false
    clientCertEnabled: false
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: [
        // The Functions host and the app's own clients: identity-based storage, no keys.
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: 'https://${storageAccountName}.blob.${storageSuffix}'
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: 'https://${storageAccountName}.queue.${storageSuffix}'
        }
        {
          name: 'AzureWebJobsStorage__tableServiceUri'
          value: 'https://${storageAccountName}.table.${storageSuffix}'
        }
        // The queues and tables are created by the template; the identity may not create others.
        {
          name: 'Storage__CreateIfMissing'
          value: 'false'
        }
        // Key Vault and any other Azure.Identity credential: the user-assigned identity.
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        {
          name: 'KeyVault__VaultUri'
          value: keyVaultUri
        }
        {
          name: 'KeyVault__KeyName'
          value: keyName
        }
        {
          name: 'Intake__ReceiptSalt'
          value: receiptSalt
        }
        {
          name: 'Intake__ReceiptPepper'
          value: receiptPepper
        }
        {
          name: 'FloodControl__ChallengeKey'
          value: floodControlChallengeKey
        }
        // Telemetry with Entra ID authentication (the component has local auth disabled).
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsightsConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identityClientId};Authorization=AAD'
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// No basic (user name + password) publishing: deployments authenticate with Entra ID.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
