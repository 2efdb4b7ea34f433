namespace BlocklistService.Storage.Tests;

public sealed class StorageConnectionStringTests
{
    [Fact]
    public void Development_storage_points_at_Azurite_default_ports_with_the_emulator_account()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");
        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), parsed.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), parsed.TableEndpoint);
        Assert.Equal("devstoreaccount1", parsed.Credential.AccountName);
    }

    [Fact]
    public void Account_settings_build_the_public_endpoints_and_explicit_endpoints_win()
    {
        var cloud = StorageConnectionString.Parse("DefaultEndpointsProtocol=https;AccountName=blk;AccountKey=a2V5;EndpointSuffix=core.windows.net");
        Assert.Equal(new Uri("https://blk.blob.core.windows.net"), cloud.BlobEndpoint);
        Assert.Equal(new Uri("https://blk.table.core.windows.net"), cloud.TableEndpoint);

        var local = StorageConnectionString.Parse(" AccountName=devstoreaccount1 ; AccountKey=a2V5; BlobEndpoint=http://127.0.0.1:1234/devstoreaccount1/ ;TableEndpoint=http://127.0.0.1:5678/devstoreaccount1");
        Assert.Equal(new Uri("http://127.0.0.1:1234/devstoreaccount1"), local.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:5678/devstoreaccount1"), local.TableEndpoint);
    }

    [Theory]
    [InlineData("AccountName=a", "AccountKey")]
    [InlineData("AccountKey=a2V5", "AccountName")]
    [InlineData("AccountName=a;AccountKey=a2V5;BlobEndpoint=not a url", "BlobEndpoint")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net;SharedAccessSignature=sv=x", "SharedAccessSignature")]
    [InlineData("AccountName", "Name=Value")]
    public void Bad_connection_strings_are_refused_naming_the_setting(string connectionString, string named)
    {
        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void A_key_that_is_not_base64_is_refused()
    {
        Assert.Contains("base64", Assert.Throws<ArgumentException>(() => new StorageSharedKeyCredential("a", "not base64!")).Message);
    }
}
