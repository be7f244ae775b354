// Entry point for `azd up`. This walking skeleton creates only the resource group; the Flex Consumption app,
// keyless storage, the HSM intake key and the role assignments follow (see README: "Deploying").
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used to name and tag every resource.')
param environmentName string

@minLength(1)
@description('Azure region for all resources.')
param location string

@description('Object id of the deploying user or principal, for optional data-plane roles.')
param principalId string = ''

var tags = {
  'azd-env-name': environmentName
}

resource resourceGroup 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = resourceGroup.name
output AZURE_PRINCIPAL_ID string = principalId
