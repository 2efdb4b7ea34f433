using System.Text;
using Azure;
using BlocklistService.Storage.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Storage.Tests.Tables;

[Collection(StorageCollection.Name)]
public sealed class TableClientTests(AzuriteFixture storage)
{
    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableServiceClient(storage.ConnectionString).GetTableClient(Azurite.UniqueName("t"));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    [Fact]
    public async Task Create_if_not_exists_is_idempotent_and_delete_tolerates_a_missing_table()
    {
        var table = new TableServiceClient(storage.ConnectionString).GetTableClient(Azurite.UniqueName("t"));
        Assert.Equal(204, (await table.CreateIfNotExistsAsync()).GetRawResponse().Status);
        Assert.Equal(409, (await table.CreateIfNotExistsAsync()).GetRawResponse().Status);
        Assert.Equal(204, (await table.DeleteAsync()).Status);
        Assert.Equal(404, (await table.DeleteAsync()).Status);
        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r")));
        Assert.Equal(404, missing.Status);
        Assert.Equal("TableNotFound", missing.ErrorCode);
    }

    [Fact]
    public async Task Typed_properties_round_trip_with_their_types()
    {
        var table = await NewTableAsync();
        var when = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.Zero).AddTicks(1234567);
        var id = Guid.NewGuid();
        var entity = new TableEntity("pärtition 'one'", "row?")
        {
            ["Text"] = "Grüße, 'quoted' \"double\" 日本",
            ["Big"] = long.MaxValue,
            ["Small"] = 42,
            ["Whole"] = 2.0,
            ["Fraction"] = 0.1,
            ["Flag"] = true,
            ["When"] = when,
            ["Id"] = id,
            ["Bytes"] = new byte[] { 0, 1, 2, 255 },
        };
        entity.RowKey = "row ünïcode + spaces";
        var added = await table.AddEntityAsync(entity);
        Assert.NotNull(added.Headers.ETag);

        var read = (await table.GetEntityAsync(entity.PartitionKey, entity.RowKey)).Value;
        Assert.Equal(entity.PartitionKey, read.PartitionKey);
        Assert.Equal(entity.RowKey, read.RowKey);
        Assert.Equal("Grüße, 'quoted' \"double\" 日本", read.GetString("Text"));
        Assert.IsType<long>(read["Big"]);
        Assert.Equal(long.MaxValue, read.GetInt64("Big"));
        Assert.IsType<int>(read["Small"]);
        Assert.Equal(42, read.GetInt32("Small"));
        Assert.Equal(2.0, read.GetDouble("Whole"));
        Assert.Equal(0.1, read.GetDouble("Fraction"));
        Assert.Equal(true, read.GetBoolean("Flag"));
        Assert.IsType<DateTimeOffset>(read["When"]);
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.IsType<Guid>(read["Id"]);
        Assert.Equal(id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, read.GetBinary("Bytes"));
        Assert.Equal(added.Headers.ETag, read.ETag);
        Assert.NotNull(read.Timestamp);
    }
}
