// Entry point for `azd up` (subscription scope): the resource group and, in it, TipIntake's Azure resources.
// Local modules only (infra/modules). Secure by default: no shared keys or publishing passwords anywhere, every
// data-plane access through Entra ID with roles scoped to the single queue, table, container or key that needs them,
// and no standing data-plane access for people (docs/deploy.md, "Break-glass access").
//
// Every parameter is fed from the azd environment through infra/main.parameters.json: `azd env set NAME value`, then
// `azd provision`. The operator's settings of the app are parameters too, so a provision never erases them
// (docs/deploy.md, "Settings"). An unset environment variable leaves the parameter at its default.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name and tag every resource.')
param environmentName string

// Regions that offer Flex Consumption (Azure-Samples/functions-quickstart-dotnet-azd's list, early 2026) AND in which
// the default storage redundancy (Standard_GZRS) exists: availability zones and a paired region. Left out on purpose:
// australiasoutheast, northcentralus, southindia, ukwest, westcentralus, westus (no zones) and italynorth,
// spaincentral (no pair). To deploy there, add the region here and set STORAGE_SKU to one it offers.
@minLength(1)
@allowed([
  'australiaeast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'japaneast'
  'koreacentral'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'westeurope'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
@description('Azure region for all resources: one that offers Flex Consumption and zone- and geo-redundant storage.')
param location string

@description('Object id of the principal running azd (azd fills it in). It gets no role: deploying needs none on the data, and no person keeps standing access to tips.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Type of principalId, as azd reports it (ServicePrincipal when signed in with a client id, as in a pipeline).')
param principalType string = 'User'

// ---------------------------------------------------------------------------------------------------------------
// Scale and hosting
// ---------------------------------------------------------------------------------------------------------------

@description('Most instances the Function app may scale out to: Flex Consumption accepts 40 to 1000. Also a cost ceiling under a flood.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([
  512
  2048
  4096
])
@description('Memory of each Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@description('Put the Function app in a VNet and reach storage and Key Vault through private endpoints only; their public network access is then off.')
param enablePrivateNetworking bool = false

// ---------------------------------------------------------------------------------------------------------------
// Intake key (Key Vault). The lifetime and rotation settings apply when the key is created: ARM never changes an
// existing key, so on a later provision they are ignored (docs/keys.md, "Changing the rotation policy").
// ---------------------------------------------------------------------------------------------------------------

@description('Name of the intake key in Key Vault.')
param intakeKeyName string = 'intake'

@allowed([
  'Enabled'
  'Disabled'
])
@description('Public network access to Key Vault when private networking is off (with it on, access is always Disabled).')
param keyVaultPublicNetworkAccess string = 'Enabled'

@description('Lifetime of each key version (ISO 8601 duration). Applied when the key is created.')
param keyLifetime string = 'P1Y'

@description('Make a new key version this long before the current one expires. Applied when the key is created.')
param keyRotateBeforeExpiry string = 'P60D'

@description('Key Vault\'s KeyNearExpiry event this long before expiry. Applied when the key is created.')
param keyNotifyBeforeExpiry string = 'P30D'

// ---------------------------------------------------------------------------------------------------------------
// Data protection
// ---------------------------------------------------------------------------------------------------------------

@allowed([
  'Standard_GZRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_RAGZRS'
  'Standard_RAGRS'
  'Standard_LRS'
])
@description('Storage redundancy. GZRS keeps three copies across the region\'s zones and three in the paired region. LRS is for throwaway test deployments only.')
param storageSkuName string = 'Standard_GZRS'

@description('CanNotDelete locks on the storage account and the Key Vault, so that `azd down` or a mistake in the portal cannot delete tips or the key. Turning this off does not remove existing locks (docs/deploy.md, "Tearing down").')
param enableDeleteLocks bool = true

@minValue(1)
@maxValue(365)
@description('Days a deleted or overwritten blob (a claim-checked JWE, a deployment package) stays recoverable; older blob versions are removed after this too.')
param blobSoftDeleteDays int = 7

@minValue(1)
@maxValue(3650)
@description('Days each table backup is immutable (cannot be changed or deleted), then deleted. Backups keep purged tips this long after retention removed them from the tables.')
param backupRetentionDays int = 30

// ---------------------------------------------------------------------------------------------------------------
// Monitoring and alerts
// ---------------------------------------------------------------------------------------------------------------

@minValue(30)
@maxValue(730)
@description('Days Log Analytics keeps telemetry and diagnostic logs.')
param logAnalyticsRetentionDays int = 30

@description('Daily Log Analytics ingestion cap in GB (-1 for none); a guard against a flood running up the bill. An alert says when it is reached.')
param logAnalyticsDailyCapGb int = 1

@description('E-mail addresses that receive the operations alerts (docs/deploy.md, "Alerts"). Empty: the alerts exist but notify no one.')
param alertEmails string[] = []

@description('E-mail addresses of triage staff told "an imminent tip is waiting in queue X" (nothing more). Empty: no one is told.')
param imminentTipAlertEmails string[] = []

@minValue(5)
@maxValue(1440)
@description('At most one imminent-tip e-mail per triage queue in this many minutes, however many tips arrive.')
param imminentTipAlertMuteMinutes int = 30

@minValue(1)
@description('Failed function invocations in 15 minutes that raise the function-failure alert.')
param functionFailureAlertThreshold int = 5

// ---------------------------------------------------------------------------------------------------------------
// The app's own settings (README, "Configuration"). Empty: the app's default. Values are given exactly as the app
// setting would be; the app validates them at start-up, so a wrong one stops it (and the post-deploy smoke test fails).
// ---------------------------------------------------------------------------------------------------------------

@description('Triage__Auth__TenantId: the Entra ID tenant staff sign in to (docs/staff-auth.md). Empty: staff sign-in is off.')
param triageAuthTenantId string = ''

@description('Triage__Auth__ClientId: the triage app registration\'s application (client) id.')
param triageAuthClientId string = ''

@description('Triage__Auth__Audience: the API\'s audience (the client id with accessTokenAcceptedVersion 2).')
param triageAuthAudience string = ''

@description('Triage__Auth__Scope: the scope the triage page asks for, e.g. api://<client id>/Tips.Triage.')
param triageAuthScope string = ''

@description('Triage__Auth__Instance: the Entra ID instance, for sovereign clouds (default https://login.microsoftonline.com/).')
param triageAuthInstance string = ''

@description('Triage__OverdueAfter: when an imminent tip still new or in review counts as overdue (default 02:00:00).')
param triageOverdueAfter string = ''

@description('Routing__DefaultQueue: the triage queue of tips no rule matches (default general).')
param routingDefaultQueue string = ''

@description('Routing__DefaultPriority: their priority, 1 to 9 (default 5).')
param routingDefaultPriority string = ''

@description('Routing__Rules: the routing rules in order, first match wins, as JSON. Empty: the app\'s default rules (README, "Configuration").')
param routingRules routingRule[] = []

@description('Retention__ClosedTipsAfter: closed tips unchanged this long are purged (default 365.00:00:00).')
param retentionClosedTipsAfter string = ''

@description('Retention__QuarantineAfter: quarantined messages older than this are purged (default 90.00:00:00).')
param retentionQuarantineAfter string = ''

@description('Retention__ClaimCheckOrphanAfter: claim-checked JWEs left behind this long are deleted (default 30.00:00:00).')
param retentionClaimCheckOrphanAfter string = ''

@description('Retention__DryRun: true to only count what retention would purge (default false).')
param retentionDryRun string = ''

@description('Intake__RetryAfter: what a 503 tells clients to wait (default 00:00:30).')
param intakeRetryAfter string = ''

@description('FloodControl__TargetAcceptedPerSecond: the accepted rate of stamped submissions, all instances together, the floor steers a flood to (default 5).')
param floodControlTargetAcceptedPerSecond string = ''

@description('FloodControl__FloorPeriod: how often the floor is recomputed (default 00:00:05).')
param floodControlFloorPeriod string = ''

@description('FloodControl__FloorFallAfter: how long the accepted rate must stay below half the target before the floor falls a bit; each further bit waits twice as long (default 00:01:00).')
param floodControlFloorFallAfter string = ''

@description('FloodControl__MaxFloor: the highest floor, in leading zero bits (default 28).')
param floodControlMaxFloor string = ''

@description('FloodControl__BacklogThreshold: main-lane messages above which the suggested effort is one bit over the floor (default 100).')
param floodControlBacklogThreshold string = ''

@description('FloodControl__MaxFormSubmissionsPerMinute: the no-script lane, all instances together (default 6).')
param floodControlMaxFormSubmissionsPerMinute string = ''

@description('FloodControl__FormSubmissionBurst (default 6).')
param floodControlFormSubmissionBurst string = ''

@description('FloodControl__FormTicketLifetime: how long a no-script form page may be filled in (default 06:00:00).')
param floodControlFormTicketLifetime string = ''

@description('FloodControl__ChallengeLifetime (default 00:05:00).')
param floodControlChallengeLifetime string = ''

@description('FloodControl__MaxSpentChallenges (default 200000).')
param floodControlMaxSpentChallenges string = ''

@description('Processing__UnwrapsPerSecond: Key Vault unwraps a second, all instances together (default 40 with Key Vault).')
param processingUnwrapsPerSecond string = ''

@description('Processing__BulkWhenMainBelow: the bulk lane is processed while the main lane holds at most this many messages (default 16).')
param processingBulkWhenMainBelow string = ''

@description('Processing__HoldFor: how long a waiting message is held before it is put back on its lane (default 00:00:20).')
param processingHoldFor string = ''

@description('Processing__MainDeferral: how long main-lane work put back waits (default 00:00:01).')
param processingMainDeferral string = ''

@description('Processing__BulkDeferral: how long bulk-lane work put back waits (default 00:00:05).')
param processingBulkDeferral string = ''

@description('KeyVault__PublicKeyRefreshInterval: how long the public key is served from memory (default 00:05:00).')
param keyVaultPublicKeyRefreshInterval string = ''

@description('KeyVault__PublicKeyMaxStaleness: how long a cached public key may be served while Key Vault is unreachable (default 01:00:00).')
param keyVaultPublicKeyMaxStaleness string = ''

@description('KeyCheck__WarnBefore: the daily key check warns when the current version expires within this (default 45.00:00:00).')
param keyCheckWarnBefore string = ''

@description('FollowUp__LookupFloor: no follow-up lookup is answered sooner after it arrived (default 00:00:00.300).')
param followUpLookupFloor string = ''

@description('FollowUp__MaxLookupsPerSecond: the follow-up lookup bucket shared by every instance, tokens a second (default 5).')
param followUpMaxLookupsPerSecond string = ''

@description('FollowUp__LookupBurst: that bucket\'s size (default 50).')
param followUpLookupBurst string = ''

@description('FollowUp__AccessAfterClose: a closed report\'s thread stays readable this long, then its sealed key is deleted (default 90.00:00:00).')
param followUpAccessAfterClose string = ''

@description('FollowUp__MaxFormLookupsPerMinute: the no-script follow-up page\'s bucket (its lookups run the KDF on the server, and its answers), shared by every instance, tokens a minute (default 6).')
param followUpMaxFormLookupsPerMinute string = ''

@description('FollowUp__SessionLifetime: how long the no-script answer form\'s session stays good (default 00:15:00).')
param followUpSessionLifetime string = ''

@description('Attachments__UploadsEnabled: whether the upload routes answer and the form offers files (default true; false turns attachments off: the routes answer 404, the form shows no file input, docs/attachments.md).')
param attachmentsUploadsEnabled string = ''

@description('Attachments__MaxFileBytes: the padded size of one uploaded file, bytes (default 67108864, 64 MiB).')
param attachmentsMaxFileBytes string = ''

@description('Attachments__MaxBytesPerSecond: the byte budget of chunk uploads shared by every instance (default 2000000).')
param attachmentsMaxBytesPerSecond string = ''

@description('Attachments__MaxOpenUploads: uploads created and not yet attached or swept, all instances together; a create beyond it is 429 (default 2000, docs/attachments.md "Open uploads").')
param attachmentsMaxOpenUploads string = ''

@description('Attachments__MaxStatusReadsPerSecond: asks of what arrived (GET /api/uploads, no stamp) a second, a bucket shared by every instance (default 20).')
param attachmentsMaxStatusReadsPerSecond string = ''

@description('Attachments__MaxFilesPerTip: the files one report may name (default 10, at most 99).')
param attachmentsMaxFilesPerTip string = ''

@description('Attachments__MaxBytesPerTip: the padded bytes of every file one report names, in all (default 134217728, 128 MiB).')
param attachmentsMaxBytesPerTip string = ''

@description('Attachments__OrphanAfter: the age after which the sweep quarantines uploads no tip took (default 7.00:00:00, whole days).')
param attachmentsOrphanAfter string = ''

@description('Attachments__AwaitAfter: the age after which the sweep quarantines a tip\'s file whose upload never came (default 7.00:00:00).')
param attachmentsAwaitAfter string = ''

@description('Attachments__FormMaxFileBytes: one file posted without JavaScript, bytes (default 16777216, 16 MiB).')
param attachmentsFormMaxFileBytes string = ''

@description('Attachments__FormMaxFiles: files in one post without JavaScript (default 5, at most 10).')
param attachmentsFormMaxFiles string = ''

@description('Attachments__FormMaxBytes: all files of one post without JavaScript together, bytes (default 33554432, 32 MiB).')
param attachmentsFormMaxBytes string = ''

@description('Attachments__FormHardCap: how much of a post over its limits is read and discarded to answer with a page, bytes (default 67108864, 64 MiB).')
param attachmentsFormHardCap string = ''

// The triage index's HMAC key (docs/triage.md, "What the index holds") must stay the same for the life of the data:
// under another key every tip already indexed is unsearchable. So it is not drawn anew here like the challenge key:
// the preprovision hook (infra/hooks/preprovision.mjs) generates it once into the azd environment, and every
// provision after that passes the same value.
@secure()
@minLength(44)
@description('Triage__IndexKey: HMAC key of the triage index (base64, at least 32 bytes). Generated once by the preprovision hook; keep it.')
param triageIndexKey string

// Flood control's challenge MAC key must be the same on every instance (a challenge issued by one instance is
// redeemed on another). A fresh random value on every deployment: challenges live five minutes.
@secure()
@description('Seed of the flood-control challenge key; leave the default (a new random value per deployment).')
param floodControlKeySeed string = newGuid()

@description('A routing rule (Routing__Rules__N__…): a rule with no category or urgency matches any.')
@sealed()
type routingRule = {
  @description('A tip category (detention, forced-repatriation, trafficking, forced-marriage, other).')
  Category: string?
  @description('An urgency (imminent, soon, unknown).')
  Urgency: string?
  @description('The triage queue: lower-case letters, digits and dashes.')
  Queue: string
  @minValue(1)
  @maxValue(9)
  @description('1 is most pressing (default 5).')
  Priority: int?
}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var serviceName = 'functions'
var deploymentContainerName = 'app-package-${resourceToken}'

// App settings fed by the parameters above; the Function app leaves out the empty ones.
var operatorSettings = union(
  {
    Triage__Auth__TenantId: triageAuthTenantId
    Triage__Auth__ClientId: triageAuthClientId
    Triage__Auth__Audience: triageAuthAudience
    Triage__Auth__Scope: triageAuthScope
    Triage__Auth__Instance: triageAuthInstance
    Triage__OverdueAfter: triageOverdueAfter
    Routing__DefaultQueue: routingDefaultQueue
    Routing__DefaultPriority: routingDefaultPriority
    Retention__ClosedTipsAfter: retentionClosedTipsAfter
    Retention__QuarantineAfter: retentionQuarantineAfter
    Retention__ClaimCheckOrphanAfter: retentionClaimCheckOrphanAfter
    Retention__DryRun: retentionDryRun
    Intake__RetryAfter: intakeRetryAfter
    FloodControl__TargetAcceptedPerSecond: floodControlTargetAcceptedPerSecond
    FloodControl__FloorPeriod: floodControlFloorPeriod
    FloodControl__FloorFallAfter: floodControlFloorFallAfter
    FloodControl__MaxFloor: floodControlMaxFloor
    FloodControl__BacklogThreshold: floodControlBacklogThreshold
    FloodControl__MaxFormSubmissionsPerMinute: floodControlMaxFormSubmissionsPerMinute
    FloodControl__FormSubmissionBurst: floodControlFormSubmissionBurst
    FloodControl__FormTicketLifetime: floodControlFormTicketLifetime
    FloodControl__ChallengeLifetime: floodControlChallengeLifetime
    FloodControl__MaxSpentChallenges: floodControlMaxSpentChallenges
    Processing__UnwrapsPerSecond: processingUnwrapsPerSecond
    Processing__BulkWhenMainBelow: processingBulkWhenMainBelow
    Processing__HoldFor: processingHoldFor
    Processing__MainDeferral: processingMainDeferral
    Processing__BulkDeferral: processingBulkDeferral
    KeyVault__PublicKeyRefreshInterval: keyVaultPublicKeyRefreshInterval
    KeyVault__PublicKeyMaxStaleness: keyVaultPublicKeyMaxStaleness
    KeyCheck__WarnBefore: keyCheckWarnBefore
    FollowUp__LookupFloor: followUpLookupFloor
    FollowUp__MaxLookupsPerSecond: followUpMaxLookupsPerSecond
    FollowUp__LookupBurst: followUpLookupBurst
    FollowUp__AccessAfterClose: followUpAccessAfterClose
    FollowUp__MaxFormLookupsPerMinute: followUpMaxFormLookupsPerMinute
    FollowUp__SessionLifetime: followUpSessionLifetime
    Attachments__UploadsEnabled: attachmentsUploadsEnabled
    Attachments__MaxFileBytes: attachmentsMaxFileBytes
    Attachments__MaxBytesPerSecond: attachmentsMaxBytesPerSecond
    Attachments__MaxOpenUploads: attachmentsMaxOpenUploads
    Attachments__MaxStatusReadsPerSecond: attachmentsMaxStatusReadsPerSecond
    Attachments__MaxFilesPerTip: attachmentsMaxFilesPerTip
    Attachments__MaxBytesPerTip: attachmentsMaxBytesPerTip
    Attachments__OrphanAfter: attachmentsOrphanAfter
    Attachments__AwaitAfter: attachmentsAwaitAfter
    Attachments__FormMaxFileBytes: attachmentsFormMaxFileBytes
    Attachments__FormMaxFiles: attachmentsFormMaxFiles
    Attachments__FormMaxBytes: attachmentsFormMaxBytes
    Attachments__FormHardCap: attachmentsFormHardCap
  },
  // Routing__Rules__0__Queue = 'urgent', Routing__Rules__0__Priority = '1', …
  reduce(
    range(0, length(routingRules)),
    {},
    (settings, i) => union(settings, toObject(items(routingRules[i]), rule => 'Routing__Rules__${i}__${rule.key}', rule => string(rule.value)))
  )
)

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
    retentionInDays: logAnalyticsRetentionDays
    dailyQuotaGb: logAnalyticsDailyCapGb
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: 'st${resourceToken}'
    skuName: storageSkuName
    deploymentContainerName: deploymentContainerName
    publicNetworkAccess: enablePrivateNetworking ? 'Disabled' : 'Enabled'
    appPrincipalId: identity.outputs.principalId
    enableDeleteLock: enableDeleteLocks
    blobSoftDeleteDays: blobSoftDeleteDays
    backupRetentionDays: backupRetentionDays
    logAnalyticsId: monitoring.outputs.logAnalyticsId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: resourceGroup
  params: {
    location: location
    tags: tags
    name: 'kv-${resourceToken}'
    keyName: intakeKeyName
    keyLifetime: keyLifetime
    rotateBeforeExpiry: keyRotateBeforeExpiry
    notifyBeforeExpiry: keyNotifyBeforeExpiry
    publicNetworkAccess: enablePrivateNetworking ? 'Disabled' : keyVaultPublicNetworkAccess
    appPrincipalId: identity.outputs.principalId
    enableDeleteLock: enableDeleteLocks
    logAnalyticsId: monitoring.outputs.logAnalyticsId
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
    triageIndexKey: triageIndexKey
    operatorSettings: operatorSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    virtualNetworkSubnetId: enablePrivateNetworking ? network!.outputs.appSubnetId : ''
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: resourceGroup
  params: {
    tags: tags
    namePrefix: resourceToken
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    keyVaultId: keyVault.outputs.id
    alertEmails: alertEmails
    imminentTipAlertEmails: imminentTipAlertEmails
    imminentTipAlertMuteMinutes: imminentTipAlertMuteMinutes
    functionFailureAlertThreshold: functionFailureAlertThreshold
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_PRINCIPAL_ID string = principalId
output AZURE_PRINCIPAL_TYPE string = principalType
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output AZURE_KEY_VAULT_KEY_NAME string = keyVault.outputs.keyName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.logAnalyticsId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
