// Key Vault (Premium, RBAC, soft delete + purge protection) and the intake key: RSA-HSM 3072 with a rotation policy.
// The Function app's identity may only read and wrap/unwrap with that one key (Key Vault Crypto Service Encryption
// User, scoped to the key). Reporters' browsers encrypt with the public half locally, so the key needs no 'encrypt'.
// No person has a standing role here: rotating, disabling or unwrapping by hand is a deliberate break-glass step
// (docs/deploy.md). A CanNotDelete lock keeps the vault from being deleted by mistake; its audit log goes to Log
// Analytics (the callers are the app's identity and operators, never a reporter).

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@minLength(3)
@maxLength(24)
@description('Key Vault name (globally unique; with purge protection a deleted name stays taken for the retention period).')
param name string

@description('Name of the intake key.')
param keyName string

@allowed([
  'Enabled'
  'Disabled'
])
@description('Public network access to the vault.')
param publicNetworkAccess string = 'Enabled'

@minValue(7)
@maxValue(90)
@description('Days a deleted vault or key stays recoverable (and, with purge protection, its name taken).')
param softDeleteRetentionInDays int = 90

@description('Lifetime of each key version (ISO 8601 duration); the rotation policy sets it on every new version.')
param keyLifetime string = 'P1Y'

@description('Create a new version this long before the current one expires.')
param rotateBeforeExpiry string = 'P60D'

@description('Send the near-expiry notification (Event Grid KeyNearExpiry) this long before expiry.')
param notifyBeforeExpiry string = 'P30D'

@description('Principal id of the Function app\'s managed identity.')
param appPrincipalId string

@description('A CanNotDelete lock on the vault.')
param enableDeleteLock bool = true

@description('Resource id of the Log Analytics workspace that receives the vault\'s audit log.')
param logAnalyticsId string

@description('Deployment time; only used for the first key version\'s expiry (an existing key is never changed by a redeployment).')
param now string = utcNow()

var roles = {
  keyVaultCryptoServiceEncryptionUser: 'e147488a-f6f5-4113-8e2d-b22465e65bf6'
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      // Premium: HSM-protected keys (RSA-HSM).
      name: 'premium'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'None'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

// ARM creates the key only if it does not exist yet; a redeployment never changes or re-versions it.
resource intakeKey 'Microsoft.KeyVault/vaults/keys@2024-11-01' = {
  parent: vault
  name: keyName
  tags: tags
  properties: {
    kty: 'RSA-HSM'
    keySize: 3072
    // What the service needs: the processor unwraps content keys. Browsers wrap with the public half locally.
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    attributes: {
      enabled: true
      exp: dateTimeToEpoch(dateTimeAdd(now, keyLifetime))
    }
    rotationPolicy: {
      attributes: {
        expiryTime: keyLifetime
      }
      lifetimeActions: [
        {
          trigger: {
            timeBeforeExpiry: rotateBeforeExpiry
          }
          action: {
            type: 'rotate'
          }
        }
        {
          trigger: {
            timeBeforeExpiry: notifyBeforeExpiry
          }
          action: {
            type: 'notify'
          }
        }
      ]
    }
  }
}

resource appKeyUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(intakeKey.id, appPrincipalId, roles.keyVaultCryptoServiceEncryptionUser)
  scope: intakeKey
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultCryptoServiceEncryptionUser)
  }
}

// Every data-plane call (get key, unwrap, rotate, role changes seen by the vault) with its caller: the app's identity
// or an operator using break-glass access. Reporters never call the vault.
resource auditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

resource deleteLock 'Microsoft.Authorization/locks@2020-05-01' = if (enableDeleteLock) {
  name: 'keep-the-intake-key'
  scope: vault
  properties: {
    level: 'CanNotDelete'
    notes: 'The intake key decrypts every tip. Lift deliberately: docs/deploy.md, "Tearing down".'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
output keyName string = intakeKey.name
output keyId string = intakeKey.id
