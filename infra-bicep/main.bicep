// BlocklistService in Azure: a Flex Consumption Function App running the ASP.NET Core server as a custom
// handler, Table and Blob Storage reached with a user-assigned managed identity (no shared keys), the artifact
// signing key in Key Vault, and Application Insights over a Log Analytics workspace.
//
//   az deployment group create -g <rg> -f infra-bicep/main.bicep -p environmentName=prod
targetScope = 'resourceGroup'

@description('Short environment name (e.g. prod, staging); part of every resource name.')
@minLength(2)
@maxLength(10)
param environmentName string

@description('Azure region for every resource; must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('NCRONTAB schedule (UTC, six fields) of the Publish timer.')
param publishSchedule string = '0 */1 * * * *'

@description('Days that deleted or overwritten blobs stay recoverable (soft delete); point-in-time restore reaches one day less.')
@minValue(2)
@maxValue(365)
param blobRetentionDays int = 30

@description('Days that Log Analytics keeps logs and telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 90

@description('Names of the block lists the service keeps ([a-z0-9-]{1,32} each); created at start-up.')
param lists array = [
  'eu'
]

@description('Hosts protected in addition to the curated default list (a host covers its subdomains): host scope is refused, narrower entries are held for review.')
param protectedHosts array = []

@description('Start from the curated default protected hosts (functions/BlocklistService.Functions/Ingest/protected-hosts.txt).')
param useDefaultProtectedHosts bool = true

@description('Name of the EC P-256 key in Key Vault that signs published artifacts.')
param signingKeyName string = 'artifact-signing'

@description('Storage redundancy; geo-redundant by default so that a regional outage loses no published list.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_GZRS'

@description('Upper bound on Function App instances (Flex Consumption scales out on HTTP load).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

var suffix = uniqueString(subscription().id, resourceGroup().id, environmentName)
var names = {
  identity: 'id-blocklist-${environmentName}'
  storage: take('stbl${environmentName}${suffix}', 24)
  keyVault: take('kv-bl-${environmentName}-${suffix}', 24)
  workspace: 'log-blocklist-${environmentName}'
  insights: 'appi-blocklist-${environmentName}'
  plan: 'plan-blocklist-${environmentName}'
  functionApp: 'func-blocklist-${environmentName}-${suffix}'
}
var deploymentContainerName = 'app-package'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    insightsName: names.insights
    location: location
    retentionInDays: logRetentionDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    sku: storageSku
    retentionDays: blobRetentionDays
    deploymentContainerName: deploymentContainerName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    name: names.keyVault
    location: location
    signingKeyName: signingKeyName
  }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  dependsOn: [
    roles
  ]
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    signingKeyName: signingKeyName
    publishSchedule: publishSchedule
    lists: lists
    protectedHosts: protectedHosts
    useDefaultProtectedHosts: useDefaultProtectedHosts
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

@description('Base URL of the HTTP API (hotlines, ISPs, auditors, admins).')
output apiUrl string = 'https://${functionApp.outputs.defaultHostName}/api/v1'
output functionAppName string = functionApp.outputs.name
output storageAccountName string = storage.outputs.name
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = keyVault.outputs.uri
output signingKeyName string = signingKeyName
output identityClientId string = identity.outputs.clientId
