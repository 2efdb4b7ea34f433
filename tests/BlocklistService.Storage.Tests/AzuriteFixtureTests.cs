using System.Net.Sockets;
using BlocklistService.Testing;

namespace BlocklistService.Storage.Tests;

public sealed class AzuriteFixtureTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Azurite_accepts_connections_on_its_table_and_blob_endpoints()
    {
        foreach (var endpoint in new[] { storage.Azurite.TableEndpoint, storage.Azurite.BlobEndpoint })
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port);
            Assert.True(client.Connected);
        }

        Assert.Contains("AccountName=devstoreaccount1", storage.ConnectionString);
    }
}
