using System.Text;
using System.Text.Json;
using BlocklistService.Storage.Tables;

namespace BlocklistService.Storage.Tests.Tables;

public sealed class TableEntityTests
{
    [Fact]
    public void Writing_annotates_the_types_JSON_cannot_carry()
    {
        var entity = new TableEntity("p", "r")
        {
            ["S"] = "s",
            ["I"] = 1,
            ["L"] = 2L,
            ["D"] = 3.0,
            ["B"] = true,
            ["T"] = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
            ["G"] = Guid.Empty,
            ["X"] = new byte[] { 1, 2 },
            ["Inf"] = double.PositiveInfinity,
        };
        entity.Timestamp = DateTimeOffset.UnixEpoch;

        var json = Encoding.UTF8.GetString(TableEntityJson.Serialize(entity));

        Assert.Equal(
            "{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"S\":\"s\",\"I\":1,\"L@odata.type\":\"Edm.Int64\",\"L\":\"2\"," +
            "\"D@odata.type\":\"Edm.Double\",\"D\":3,\"B\":true,\"T@odata.type\":\"Edm.DateTime\",\"T\":\"2024-01-02T03:04:05.0000000Z\"," +
            "\"G@odata.type\":\"Edm.Guid\",\"G\":\"00000000-0000-0000-0000-000000000000\",\"X@odata.type\":\"Edm.Binary\",\"X\":\"AQI=\"," +
            "\"Inf@odata.type\":\"Edm.Double\",\"Inf\":\"Infinity\"}",
            json);
    }

    [Fact]
    public void Reading_restores_annotated_types_and_infers_the_rest()
    {
        const string json = """
            {"odata.etag":"W/\"datetime'2024'\"","PartitionKey":"p","RowKey":"r","Timestamp":"2024-01-02T03:04:05.1234567Z",
             "L":"9223372036854775807","L@odata.type":"Edm.Int64","I":5,"D":2.5,"W":4.0,"B":false,"S":"text",
             "G@odata.type":"Edm.Guid","G":"0f8fad5b-d9cb-469f-a165-70867728950e","X@odata.type":"Edm.Binary","X":"AQI=",
             "N@odata.type":"Edm.Double","N":"NaN"}
            """;
        using var document = JsonDocument.Parse(json);
        var entity = TableEntityJson.Read(document.RootElement);

        Assert.Equal("W/\"datetime'2024'\"", entity.ETag.ToString());
        Assert.Equal(("p", "r"), (entity.PartitionKey, entity.RowKey));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234567), entity.Timestamp);
        Assert.IsType<long>(entity["L"]);
        Assert.IsType<int>(entity["I"]);
        Assert.IsType<double>(entity["D"]);
        Assert.IsType<double>(entity["W"]);
        Assert.IsType<Guid>(entity["G"]);
        Assert.Equal(new byte[] { 1, 2 }, entity.GetBinary("X"));
        Assert.True(double.IsNaN(entity.GetDouble("N")!.Value));
        Assert.False(entity.ContainsKey("odata.etag"));
    }

    [Fact]
    public void Getters_convert_without_loss_and_refuse_what_does_not_fit()
    {
        var entity = new TableEntity("p", "r") { ["I"] = 5, ["L"] = long.MaxValue, ["GuidText"] = "0f8fad5b-d9cb-469f-a165-70867728950e", ["S"] = "x" };
        Assert.Equal(5L, entity.GetInt64("I"));
        Assert.Equal(5.0, entity.GetDouble("I"));
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), entity.GetGuid("GuidText"));
        Assert.Null(entity.GetString("Missing"));
        var error = Assert.Throws<InvalidOperationException>(() => entity.GetInt32("L"));
        Assert.Contains("'L'", error.Message);
        Assert.Throws<InvalidOperationException>(() => entity.GetBoolean("S"));
    }
}
