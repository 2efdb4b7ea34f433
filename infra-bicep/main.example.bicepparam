// Example parameters for a production deployment:
//   az deployment group create -g <rg> -f infra-bicep/main.bicep -p infra-bicep/main.example.bicepparam
using 'main.bicep'

param environmentName = 'prod'
param lists = [
  'eu'
  'uk'
]
param protectedHosts = [
  'example.org'
]
param additionalAppSettings = {
  Ingest__MinimumVerifiers: '2'
}
