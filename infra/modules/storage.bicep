// The storage account: keyless (Entra ID only), TLS 1.2, no public blobs, zone- and geo-redundant by default. Holds the
// intake queues, the tables, the claim-check container for large JWEs, the table backups, the Flex Consumption
// deployment container and the Functions host's own containers. Role assignments are scoped to the individual queue,
// table or container that needs them, never to the account, and only the app's identity has any: people reach the
// data through the audited triage API, or through a deliberate break-glass step (docs/deploy.md).
//
// Tips survive mistakes: a CanNotDelete lock on the account, blob versioning and soft delete, and a daily table backup
// (the app's BackupTables timer) into a container whose time-based immutability policy keeps each snapshot unchangeable
// and undeletable for backupRetentionDays. Data-plane logs (who read, wrote or deleted what) go to Log Analytics: the
// callers are the app's identity and operators, never a reporter.

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

@description('Storage SKU: zone- and geo-redundant unless told otherwise.')
param skuName string = 'Standard_GZRS'

@description('A CanNotDelete lock on the account.')
param enableDeleteLock bool = true

@minValue(1)
@maxValue(365)
@description('Days a deleted blob or container stays recoverable; previous blob versions are deleted once this old.')
param blobSoftDeleteDays int = 7

@minValue(1)
@maxValue(3650)
@description('Days each table backup is immutable; it is deleted the day after.')
param backupRetentionDays int = 30

@description('Resource id of the Log Analytics workspace that receives the data-plane logs.')
param logAnalyticsId string

// The host moves a message that failed maxDequeueCount times to '<queue>-poison'; when QuarantinePoison itself fails
// that often, to 'tips-inbound-poison-poison'. Queue roles are per queue, so that one must exist here too. The bulk
// lane (work paid below the suggested effort, docs/flood-control.md) has the same three.
var queueNames = [
  'tips-inbound'
  'tips-inbound-poison'
  'tips-inbound-poison-poison'
  'tips-inbound-bulk'
  'tips-inbound-bulk-poison'
  'tips-inbound-bulk-poison-poison'
]
// The tables with tips, notes and the audit: each is backed up.
var tableNames = [
  'Tips'
  'TipEvents'
  'Quarantine'
  'TipNotes'
  // Follow-up threads: reporters' answers (as tips hold narratives) and copies only a reporter's code opens.
  'TipMessages'
  // The triage index (views, filters, keyed-hash search terms, locators, counts) and related reports: docs/triage.md.
  'TipIndex'
  'TipRelations'
  // A tip's files (docs/attachments.md, "Storage"): state, D, layout, size, plaintext SHA-256 and the wrapped key of
  // each; without its row an attached file cannot be opened, so it is backed up with the tip.
  'Attachments'
]
// Flood control's state shared by the instances (the floor, per-instance counts, spent nonces, shared buckets): nothing
// about any tip or reporter, and worthless a few minutes later, so it is not backed up.
// Follow-up keys (docs/follow-up.md, "Storage"): each row holds a reporter's sealed private key, deleted when access
// after closing ends (crypto-shredding); an immutable backup would keep it for BACKUP_RETENTION_DAYS more, so it is not
// backed up.
// Uploads (docs/attachments.md, "Storage"): one row per upload not yet attached, deleted once attached or quarantined;
// worthless after a restore (the staging blobs it describes are not backed up either), so it is not backed up.
var allTableNames = concat(tableNames, [
  'FloodControl'
  'FollowUpKeys'
  'Uploads'
])
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
// Table backups (the app's BackupTables timer): write-once snapshots, immutable for backupRetentionDays.
var backupContainerName = 'tips-backup'
// Attachments (docs/attachments.md, "Storage"): ciphertext only, each file under its own key wrapped to the intake key.
// Uploads are staged under their upload id until a tip names them; an attached file lives under its tip id.
var attachmentStagingContainerName = 'attachments-staging'
var attachmentsContainerName = 'attachments'

var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
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

// A deleted or overwritten blob (a quarantined tip's claim-checked JWE, a deployment package) stays recoverable: its
// previous version is kept, and deletes are soft for blobSoftDeleteDays. Deleting a container is soft too.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
  }
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

resource attachmentStagingContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: attachmentStagingContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource attachmentsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: attachmentsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource backupContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: backupContainerName
  properties: {
    publicAccess: 'None'
  }
}

// Time-based retention (WORM): a snapshot can be neither overwritten nor deleted for backupRetentionDays, by the app
// or anyone. Left unlocked so the period can still be changed; locking it is a deliberate, irreversible step
// (docs/deploy.md, "Backup and restore").
resource backupImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2025-01-01' = {
  parent: backupContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: backupRetentionDays
    allowProtectedAppendWrites: false
  }
}

// Versioning would otherwise keep every deleted or overwritten blob for ever, retention's deletions included: previous
// versions go once they are as old as the soft-delete window (then stay soft-deleted that long again). Snapshots in
// tips-backup go the day after their immutability ends. Nothing here touches a current blob outside tips-backup:
// the app's retention alone decides when a claim-checked JWE goes (see claimCheckContainer).
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'previous-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: blobSoftDeleteDays
                }
              }
            }
          }
        }
        {
          name: 'expired-backups'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${backupContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: backupRetentionDays + 1
                }
              }
            }
          }
        }
        {
          // A backstop behind the app's 7-day sweep of uploads no tip named (docs/attachments.md, "Infrastructure").
          // Prefix matching is on container/name, so only attachments-staging/ matches: an attached file lives in
          // attachments/, which no rule touches, and cannot be deleted here while its tip is kept.
          name: 'abandoned-uploads'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${attachmentStagingContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: 30
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    blobService
  ]
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
  for tableName in allTableNames: {
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

// Blob: upload routes stage chunks and commit them; the processor copies an upload to its tip and deletes it; the
// sweep moves orphans to attachments/quarantine/; triage downloads read; retention deletes a tip's files with it.
resource appAttachmentStagingContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(attachmentStagingContainer.id, appPrincipalId, roles.storageBlobDataContributor)
  scope: attachmentStagingContainer
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource appAttachmentsContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(attachmentsContainer.id, appPrincipalId, roles.storageBlobDataContributor)
  scope: attachmentsContainer
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

// Blob: the BackupTables timer writes snapshots. The immutability policy, not the role, keeps it from deleting them.
resource appBackupContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(backupContainer.id, appPrincipalId, roles.storageBlobDataContributor)
  scope: backupContainer
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
  for (tableName, i) in allTableNames: {
    name: guid(tables[i].id, appPrincipalId, roles.storageTableDataContributor)
    scope: tables[i]
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    }
  }
]

// Who read, wrote or deleted what, per service. Queue reads are left out: the host polls the queues every few seconds
// and the messages are encrypted anyway; their writes and deletes (each tip queued, each message completed) are kept.
var dataPlaneLogs = {
  blob: [
    'StorageRead'
    'StorageWrite'
    'StorageDelete'
  ]
  queue: [
    'StorageWrite'
    'StorageDelete'
  ]
  table: [
    'StorageRead'
    'StorageWrite'
    'StorageDelete'
  ]
}

resource blobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'data-plane-to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsId
    logs: [for category in dataPlaneLogs.blob: {
      category: category
      enabled: true
    }]
  }
}

resource queueLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'data-plane-to-log-analytics'
  scope: queueService
  properties: {
    workspaceId: logAnalyticsId
    logs: [for category in dataPlaneLogs.queue: {
      category: category
      enabled: true
    }]
  }
}

resource tableLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'data-plane-to-log-analytics'
  scope: tableService
  properties: {
    workspaceId: logAnalyticsId
    logs: [for category in dataPlaneLogs.table: {
      category: category
      enabled: true
    }]
  }
}

resource deleteLock 'Microsoft.Authorization/locks@2020-05-01' = if (enableDeleteLock) {
  name: 'keep-the-tips'
  scope: storage
  properties: {
    level: 'CanNotDelete'
    notes: 'Holds every tip and its backups. Lift deliberately: docs/deploy.md, "Tearing down".'
  }
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
output claimCheckContainerName string = claimCheckContainer.name
output backupContainerName string = backupContainer.name
