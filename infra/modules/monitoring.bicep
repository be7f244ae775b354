// Log Analytics + workspace-based Application Insights. Ingestion accepts Entra ID tokens only (local auth off), and
// Application Insights keeps its default IP masking: client IPs are used for geolocation at ingestion and then
// stored as 0.0.0.0 (DisableIpMasking stays false). Nothing here collects request bodies: the Functions host and the
// Application Insights SDKs never do, and the Function app has no diagnostic settings (its HTTP logs would carry
// reporters' addresses and user agents). Key Vault and storage send their data-plane logs here (their callers are the
// app's identity and operators), and the alerts (alerts.bicep) query this workspace.

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights component name.')
param applicationInsightsName string

@minValue(30)
@maxValue(730)
@description('Days Log Analytics keeps telemetry.')
param retentionInDays int = 30

@description('Principal id of the Function app\'s managed identity (publishes telemetry with Entra ID).')
param appPrincipalId string

@description('Daily ingestion cap in GB (-1 for none); a guard against a flood running up the bill.')
param dailyQuotaGb int = 1

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    features: {
      disableLocalAuth: true
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    // Entra ID authentication only: the connection string alone cannot write telemetry.
    DisableLocalAuth: true
    // Keep Application Insights' default: client IP addresses are not stored (masked to 0.0.0.0 at ingestion).
    DisableIpMasking: false
  }
}

// Monitoring Metrics Publisher on this component only: what Entra ID-authenticated ingestion requires.
resource appTelemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

output logAnalyticsId string = logAnalytics.id
output applicationInsightsId string = applicationInsights.id
output applicationInsightsName string = applicationInsights.name
output connectionString string = applicationInsights.properties.ConnectionString
