// The Function app on Flex Consumption (FC1, Linux, .NET 10 isolated worker). Every connection is identity-based
// through the user-assigned managed identity: no storage keys, no connection secrets, no publishing credentials.
//
// Flex Consumption refuses or ignores many site properties and app settings of the older plans (the "Flex Consumption
// plan deprecations" table of the Functions app-settings reference; newer regions reject some with ARM error 51021,
// e.g. siteConfig.ftpsState). The runtime, scale and deployment live in functionAppConfig; siteConfig holds only the
// minimum TLS version (as Microsoft's Flex quickstart sets) and the app settings. A test keeps the deprecated ones out.
// FTP does not exist on Flex Consumption, so there is no ftp publishing-credentials policy either.
//
// Every app setting is written by this template, so every provision replaces them all: the operator's settings are
// parameters of main.bicep (operatorSettings), never hand-set in the portal (docs/deploy.md, "Settings").

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

@description('Salt for receipt hashes (base64, at least 16 bytes; a salt, not a secret).')
param receiptSalt string

@secure()
@description('Secret pepper of the stored receipt hashes (base64, at least 32 bytes).')
param receiptPepper string

@secure()
@description('Flood control\'s challenge MAC key (base64, at least 32 bytes), shared by every instance.')
param floodControlChallengeKey string

@secure()
@description('The triage index\'s HMAC key (base64, at least 32 bytes): the same for the life of the data.')
param triageIndexKey string

@description('The operator\'s app settings (name: value); empty values are left out, so the app uses its default.')
param operatorSettings object = {}

@minValue(40)
@maxValue(1000)
@description('Most instances Flex Consumption may scale out to (it accepts 40 to 1000).')
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

var fixedSettings = [
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
  {
    name: 'Triage__IndexKey'
    value: triageIndexKey
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
  // The host's diagnostic events go to monthly tables it creates and deletes (AzureFunctionsDiagnosticEvents<yyyyMM>),
  // which needs table rights over the whole account: more than the identity gets (roles are per table). Turned off
  // deliberately; every such event is also logged to Application Insights, where the alerts look.
  {
    name: 'AzureWebJobsFeatureFlags'
    value: 'DisableDiagnosticEventLogging'
  }
]

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
      appSettings: concat(fixedSettings, map(filter(items(operatorSettings), setting => !empty(setting.value)), setting => {
        name: setting.key
        value: setting.value
      }))
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

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
