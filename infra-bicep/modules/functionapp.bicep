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
param lists string[]
param protectedHosts string[]
param useDefaultProtectedHosts bool
param categories string[]
param additionalAppSettings { *: string }

// One Bootstrap__Lists__N setting per list: the server creates each list (version 0) at start-up.
var listSettings = [for (list, i) in lists: {
  name: 'Bootstrap__Lists__${i}'
  value: list
}]

// Ingest safeguards as indexed settings (Ingest__ProtectedHosts__0, ...), then whatever the operator adds.
// The curated default protected hosts apply unless turned off; protectedHosts extend them.
var protectedHostDefaults = [
  {
    name: 'Ingest__UseDefaultProtectedHosts'
    value: string(useDefaultProtectedHosts)
  }
]
var protectedHostSettings = [for (host, i) in protectedHosts: {
  name: 'Ingest__ProtectedHosts__${i}'
  value: host
}]
var categorySettings = [for (category, i) in categories: {
  name: 'Ingest__Categories__${i}'
  value: category
}]
var operatorSettings = [for setting in items(additionalAppSettings): {
  name: setting.key
  value: setting.value
}]

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
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

resource site 'Microsoft.Web/sites@2025-03-01' = {
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
        // Read by the Publish function.json ("%PUBLISH_SCHEDULE%") and by the server, to say when the timer fires next.
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
      ], listSettings, protectedHostDefaults, protectedHostSettings, categorySettings, operatorSettings)
    }
  }
}

// No FTP and no basic-auth deployment: the package is read from blob storage with the managed identity.
// (siteConfig.ftpsState is deprecated on Flex Consumption and refused in some regions.)
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
