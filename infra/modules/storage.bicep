// The storage account: keyless (Entra ID only), TLS 1.2, no public blobs. Holds the intake queues, the tables, the
// claim-check container for large JWEs, the Flex Consumption deployment container and the Functions host's own
// containers. Role assignments are scoped to the individual queue, table or container that needs them, never to the
// account.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@minLength(3)
@maxLength(24)
@description('Storage account name.')
param name string

@description('Blob container for Flex Consumption deployment packages.')
param deploymentContainerName string

@allowed([
  'Enabled'
  'Disabled'
])
@description('Public network access; Disabled when the app reaches storage through private endpoints.')
param publicNetworkAccess string = 'Enabled'

@description('Principal id of the Function app\'s managed identity.')
param appPrincipalId string

@description('Object id of the deploying user or principal; empty for none. Given read access to Quarantine only.')
param userPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param userPrincipalType string = 'User'

@description('Storage SKU.')
param skuName string = 'Standard_LRS'

var queueNames = [
  'tips-inbound'
  'tips-inbound-poison'
]
var tableNames = [
  'Tips'
  'TipEvents'
  'Quarantine'
  'TipNotes'
  // The triage index (views, filters, keyed-hash search terms, locators, counts) and related reports: docs/triage.md.
  'TipIndex'
  'TipRelations'
]
// The deployment container plus the two the Functions host itself uses (host locks, function keys). They are created
// here so that the identity's blob role can be scoped to exactly these containers.
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]
var containerNames = concat([deploymentContainerName], hostContainerNames)
// The claim check: a compact JWE too large for one queue message (over 48,640 characters) waits here under its tip id
// until the processor has stored the tip; retention deletes what is left. The app uses this fixed name. Kept out of
// containerNames: the identity gets Contributor here, not Owner (no ACL or ownership changes are needed).
var claimCheckContainerName = 'tips-inbound-jwe'

var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'None'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
        file: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// No lifecycle-management rule deletes old blobs here, on purpose. The app's retention is the only thing that may: a
// quarantined tip keeps its JWE here until retention purges the quarantine row (Retention__QuarantineAfter, 90 days by
// default but configurable up to 10 years), and tips-inbound messages never expire, so a tip whose processing is
// delayed still needs its JWE however old it is. An age-based backstop would drop accepted tips silently once either
// outgrew it; retention, which knows what is still referenced, lists and deletes the leftovers daily instead.
resource claimCheckContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: claimCheckContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

// Blob: the Functions host and the Flex Consumption platform read the package, take leases and keep function keys.
resource appBlobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in containerNames: {
    name: guid(containers[i].id, appPrincipalId, roles.storageBlobDataOwner)
    scope: containers[i]
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    }
  }
]

// Blob: intake writes the claim check, the processor reads and deletes it, retention lists and deletes leftovers.
resource appClaimCheckContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(claimCheckContainer.id, appPrincipalId, roles.storageBlobDataContributor)
  scope: claimCheckContainer
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource appQueueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queueName, i) in queueNames: {
    name: guid(queues[i].id, appPrincipalId, roles.storageQueueDataContributor)
    scope: queues[i]
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    }
  }
]

resource appTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (tableName, i) in tableNames: {
    name: guid(tables[i].id, appPrincipalId, roles.storageTableDataContributor)
    scope: tables[i]
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    }
  }
]

// Ops may read Quarantine (still encrypted) but not Tips, TipNotes or TipEvents: staff see tips only through the audited
// triage API. Quarantine stays tables[2]: new tables are appended to tableNames.
resource userQuarantineReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(tables[2].id, userPrincipalId, roles.storageTableDataReader)
  scope: tables[2]
  properties: {
    principalId: userPrincipalId
    principalType: userPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
output claimCheckContainerName string = claimCheckContainer.name
