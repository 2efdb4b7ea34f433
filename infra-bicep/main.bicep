// BlocklistService in Azure: a Flex Consumption Function App running the ASP.NET Core server as a custom
// handler, Table and Blob Storage reached with a user-assigned managed identity (no shared keys), the artifact
// signing key in Key Vault, and Application Insights over a Log Analytics workspace.
//
//   az deployment group create -g <rg> -f infra-bicep/main.bicep -p environmentName=prod
targetScope = 'resourceGroup'

@description('Short environment name (e.g. prod, staging): 2-10 lower-case letters and digits, starting with a letter; part of every resource name, including the storage account, which allows nothing else.')
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

@description('Days that Log Analytics and Application Insights keep logs and telemetry (the values Application Insights accepts).')
@allowed([
  30
  60
  90
  120
  180
  270
  365
  550
  730
])
param logRetentionDays int = 90

@description('Names of the block lists the service keeps ([a-z0-9-]{1,32} each); created at start-up.')
param lists string[] = [
  'eu'
]

@description('Hosts protected in addition to the curated default list (a host covers its subdomains): host scope is refused, narrower entries are held for review (Ingest:ProtectedHosts).')
param protectedHosts string[] = []

@description('Start from the curated default protected hosts (functions/BlocklistService.Functions/Ingest/protected-hosts.txt).')
param useDefaultProtectedHosts bool = true

@description('The only categories an entry may carry (Ingest:Categories).')
param categories string[] = [
  'csam'
]

@description('Further app settings, name to value, e.g. {\'Ingest__MinimumVerifiers\': \'3\'}; applied after the ones above.')
param additionalAppSettings { *: string } = {}

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

// Bicep has no pattern decorator: the deployment fails before any resource is created when a character other
// than a-z and 0-9 appears or the name starts with a digit ('Prod' or 'pre-prod' would make an invalid storage
// account name and a half-created environment).
var environmentNameCharacters = 'abcdefghijklmnopqrstuvwxyz0123456789'
var environmentNameIsValid = !contains('0123456789', substring(environmentName, 0, 1)) && empty(filter(
  range(0, length(environmentName)),
  i => !contains(environmentNameCharacters, substring(environmentName, i, 1))
))
var validEnvironmentName = environmentNameIsValid
  ? environmentName
  : fail('environmentName must be 2-10 lower-case letters and digits, starting with a letter (e.g. prod, staging2)')
var suffix = uniqueString(subscription().id, resourceGroup().id, validEnvironmentName)
var names = {
  identity: 'id-blocklist-${validEnvironmentName}'
  storage: take('stbl${validEnvironmentName}${suffix}', 24)
  keyVault: take('kv-bl-${validEnvironmentName}-${suffix}', 24)
  workspace: 'log-blocklist-${validEnvironmentName}'
  insights: 'appi-blocklist-${validEnvironmentName}'
  plan: 'plan-blocklist-${validEnvironmentName}'
  functionApp: 'func-blocklist-${validEnvironmentName}-${suffix}'
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

// Names known before deployment (not module outputs), so role assignment ids are stable and What-If is precise.
module roles 'modules/roles.bicep' = {
  name: 'roles'
  dependsOn: [
    identity
    storage
    keyVault
  ]
  params: {
    identityName: names.identity
    storageAccountName: names.storage
    keyVaultName: names.keyVault
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
    categories: categories
    additionalAppSettings: additionalAppSettings
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
