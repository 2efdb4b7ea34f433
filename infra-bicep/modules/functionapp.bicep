// The Function App on the Flex Consumption plan (Linux): the ASP.NET Core server runs as a custom handler
// (runtime 'custom'), the deployment package is read from a blob container with the user-assigned identity,
// and the host's own storage (AzureWebJobsStorage) is identity-based too.
param name string
param planName string
param location string
param identityId string
param identityClientId string
param storageAccountName string
param blobEndpoint string
param tableEndpoint string
param deploymentContainerName string
param applicationInsightsConnectionString string
param keyVaultUri string
param signingKeyName string
param publishSchedule string
param maximumInstanceCount int
param instanceMemoryMB int
param lists array
param protectedHosts array
param useDefaultProtectedHosts bool

// One Bootstrap__Lists__N setting per list: the server creates each list (version 0) at start-up.
var listSettings = [for (list, i) in lists: {
  name: 'Bootstrap__Lists__${i}'
  value: list
}]

// The curated default protected hosts apply unless turned off; these extend them (Ingest__ProtectedHosts__N).
var extraProtectedHosts = [for (host, i) in protectedHosts: {
  name: 'Ingest__ProtectedHosts__${i}'
  value: host
}]
var protectedHostSettings = concat([
  {
    name: 'Ingest__UseDefaultProtectedHosts'
    value: string(useDefaultProtectedHosts)
  }
], extraProtectedHosts)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
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
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
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
        name: 'custom'
        version: '1.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat([
        // Host storage through the managed identity: no connection string, no account key.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccountName
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: applicationInsightsConnectionString
        }
        // Selects the user-assigned identity for every TokenCredential the server creates.
        {
          name: 'AZURE_CLIENT_ID'
          value: identityClientId
        }
        // Read by the Publish function.json ("%PUBLISH_SCHEDULE%").
        {
          name: 'PUBLISH_SCHEDULE'
          value: publishSchedule
        }
        // The server's storage: endpoints plus bearer tokens of the managed identity.
        {
          name: 'Storage__TableEndpoint'
          value: tableEndpoint
        }
        {
          name: 'Storage__BlobEndpoint'
          value: blobEndpoint
        }
        // Artifact signing in Key Vault (keys/sign, ES256).
        {
          name: 'Signing__Provider'
          value: 'KeyVault'
        }
        {
          name: 'Signing__KeyVault__VaultUri'
          value: keyVaultUri
        }
        {
          name: 'Signing__KeyVault__KeyName'
          value: signingKeyName
        }
      ], listSettings, protectedHostSettings)
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
