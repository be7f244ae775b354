// Entry point for `azd up` (subscription scope): the resource group and, in it, TipIntake's Azure resources.
// Local modules only (infra/modules). Secure by default: no shared keys or publishing passwords anywhere, every
// data-plane access through Entra ID with roles scoped to the single queue, table, container or key that needs them.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name and tag every resource.')
param environmentName string

@minLength(1)
@description('Azure region for all resources (Flex Consumption must be offered there).')
param location string

@description('Object id of the deploying user or principal, for optional data-plane roles (Key Vault Crypto Officer on the vault, Storage Table Data Reader on Quarantine). Empty for none.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Type of principalId.')
param principalType string = 'User'

@description('Most instances the Function app may scale out to (Flex Consumption).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Name of the intake key in Key Vault.')
param keyName string = 'intake'

@allowed([
  'Enabled'
  'Disabled'
])
@description('Public network access to Key Vault when private networking is off (with it on, access is always Disabled).')
param keyVaultPublicNetworkAccess string = 'Enabled'

@description('Put the Function app in a VNet and reach storage and Key Vault through private endpoints only; their public network access is then off.')
param enablePrivateNetworking bool = false

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var serviceName = 'functions'
var deploymentContainerName = 'app-package-${resourceToken}'

resource resourceGroup 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// The receipt pepper keys the stored receipt hashes and must never change (a new one makes every earlier receipt
// unverifiable), so it has no default: azd generates it once and keeps it in the environment (.azure/<env>/config.json).
@secure()
@metadata({ azd: { type: 'generate', config: { length: 44, noSpecial: true } } })
@description('Secret pepper of the stored receipt hashes (Intake__ReceiptPepper, base64 of at least 32 bytes): azd generates it once per environment; keep it, never rotate it.')
param receiptPepper string

// The salt receipts were hashed with before the pepper: kept so that those receipts can still be verified.
var receiptSalt = base64(guid(subscription().id, resourceGroup.id, environmentName, 'receipt-salt'))

// Flood control's challenge MAC key must be the same on every instance (a challenge issued by one instance is
// redeemed on another). A fresh random value on every deployment: challenges live five minutes.
@secure()
@description('Seed of the flood-control challenge key; leave the default (a new random value per deployment).')
param floodControlKeySeed string = newGuid()
var floodControlChallengeKey = base64('${floodControlKeySeed}:${guid(subscription().id, environmentName, floodControlKeySeed)}')

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: 'id-func-${resourceToken}'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    appPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: 'st${resourceToken}'
    deploymentContainerName: deploymentContainerName
    publicNetworkAccess: enablePrivateNetworking ? 'Disabled' : 'Enabled'
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: 'kv-${resourceToken}'
    keyName: keyName
    publicNetworkAccess: enablePrivateNetworking ? 'Disabled' : keyVaultPublicNetworkAccess
    appPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module network 'modules/network.bicep' = if (enablePrivateNetworking) {
  name: 'network'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    vnetName: 'vnet-${resourceToken}'
    storageAccountId: storage.outputs.id
    keyVaultId: keyVault.outputs.id
    privateEndpointPrefix: 'pe-${resourceToken}'
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    serviceName: serviceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    keyVaultUri: keyVault.outputs.uri
    keyName: keyVault.outputs.keyName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    receiptSalt: receiptSalt
    receiptPepper: receiptPepper
    floodControlChallengeKey: floodControlChallengeKey
    maximumInstanceCount: maximumInstanceCount
    virtualNetworkSubnetId: enablePrivateNetworking ? network!.outputs.appSubnetId : ''
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_PRINCIPAL_ID string = principalId
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_KEY_VAULT_KEY_NAME string = keyVault.outputs.keyName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
