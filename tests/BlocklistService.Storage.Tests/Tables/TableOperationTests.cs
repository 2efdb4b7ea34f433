using Azure;
using BlocklistService.Storage.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Storage.Tests.Tables;

[Collection(StorageCollection.Name)]
public sealed class TableOperationTests(AzuriteFixture storage)
{
    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableClient(storage.ConnectionString, Azurite.UniqueName("t"));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    [Fact]
    public async Task Add_of_an_existing_entity_fails_with_409_EntityAlreadyExists()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["A"] = 1 });
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("p", "r") { ["A"] = 2 }));
        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.Equal(1, (await table.GetEntityAsync("p", "r")).Value.GetInt32("A"));
    }

    [Fact]
    public async Task Upsert_merge_keeps_other_properties_and_replace_drops_them()
    {
        var table = await NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b" }, TableUpdateMode.Replace);
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["B"] = "b2", ["C"] = "c" }, TableUpdateMode.Merge);
        var merged = (await table.GetEntityAsync("p", "r")).Value;
        Assert.Equal(("a", "b2", "c"), (merged.GetString("A"), merged.GetString("B"), merged.GetString("C")));

        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["D"] = "d" }, TableUpdateMode.Replace);
        var replaced = (await table.GetEntityAsync("p", "r")).Value;
        Assert.Null(replaced.GetString("A"));
        Assert.Null(replaced.GetString("C"));
        Assert.Equal("d", replaced.GetString("D"));
    }

    [Fact]
    public async Task Update_with_a_stale_ETag_fails_with_412_and_leaves_the_entity_unchanged()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["Version"] = 1 });
        var first = (await table.GetEntityAsync("p", "r")).Value;

        first["Version"] = 2;
        var updated = await table.UpdateEntityAsync(first, first.ETag, TableUpdateMode.Replace);
        Assert.NotEqual(first.ETag, updated.Headers.ETag);

        first["Version"] = 3;
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(first, first.ETag, TableUpdateMode.Merge));
        Assert.Equal(412, stale.Status);
        Assert.Equal("UpdateConditionNotSatisfied", stale.ErrorCode);
        Assert.Equal(2, (await table.GetEntityAsync("p", "r")).Value.GetInt32("Version"));

        await table.UpdateEntityAsync(first, ETag.All, TableUpdateMode.Merge);
        Assert.Equal(3, (await table.GetEntityAsync("p", "r")).Value.GetInt32("Version"));

        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(new TableEntity("p", "absent"), ETag.All));
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task Delete_honours_If_Match_and_tolerates_a_missing_entity()
    {
        var table = await NewTableAsync();
        var added = await table.AddEntityAsync(new TableEntity("p", "r"));
        await table.UpsertEntityAsync(new TableEntity("p", "r") { ["X"] = 1 });

        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("p", "r", added.Headers.ETag!.Value));
        Assert.Equal(412, stale.Status);
        Assert.True((await table.GetEntityIfExistsAsync("p", "r")).HasValue);

        var current = (await table.GetEntityAsync("p", "r")).Value.ETag;
        Assert.Equal(204, (await table.DeleteEntityAsync("p", "r", current)).Status);
        Assert.Equal(404, (await table.DeleteEntityAsync("p", "r")).Status);
        Assert.False((await table.GetEntityIfExistsAsync("p", "r")).HasValue);
    }

    [Fact]
    public async Task Get_of_a_missing_entity_fails_with_404_ResourceNotFound()
    {
        var table = await NewTableAsync();
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityAsync("p", "nothing"));
        Assert.Equal(404, error.Status);
        Assert.Equal("ResourceNotFound", error.ErrorCode);
        Assert.Contains("ResourceNotFound", error.Message);
    }

    [Fact]
    public async Task Select_returns_only_the_named_properties()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["A"] = "a", ["B"] = "b", ["C"] = 3L });
        var point = (await table.GetEntityAsync("p", "r", select: ["A", "C"])).Value;
        Assert.Equal("a", point.GetString("A"));
        Assert.Equal(3L, point.GetInt64("C"));
        Assert.False(point.ContainsKey("B"));

        var queried = await table.QueryAsync(select: ["B"]).ToListAsync();
        Assert.Equal("b", Assert.Single(queried).GetString("B"));
        Assert.False(queried[0].ContainsKey("A"));
    }

    [Fact]
    public async Task Filter_values_with_quotes_and_non_ASCII_text_match_exactly_their_entity()
    {
        var table = await NewTableAsync();
        string[] texts = ["O'Brien", "it''s", "Grüße aus Köln – 日本語 🚫", "plain", "' or 1 eq 1 or ''='"];
        for (var i = 0; i < texts.Length; i++)
        {
            await table.AddEntityAsync(new TableEntity("p", $"r{i}") { ["Text"] = texts[i] });
        }

        for (var i = 0; i < texts.Length; i++)
        {
            var found = await table.QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"p"} and Text eq {texts[i]}")).ToListAsync();
            Assert.Equal($"r{i}", Assert.Single(found).RowKey);
        }
    }

    [Fact]
    public async Task Filters_on_typed_values_match_the_stored_types()
    {
        var table = await NewTableAsync();
        var id = Guid.NewGuid();
        var when = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await table.AddEntityAsync(new TableEntity("p", "hit") { ["N"] = 5_000_000_000L, ["When"] = when, ["Id"] = id, ["On"] = true, ["D"] = 2.5, ["I"] = 7, ["Bin"] = new byte[] { 1, 2 } });
        await table.AddEntityAsync(new TableEntity("p", "miss") { ["N"] = 1L, ["When"] = when.AddDays(-1), ["Id"] = Guid.NewGuid(), ["On"] = false, ["D"] = 1.0, ["I"] = 1, ["Bin"] = new byte[] { 3 } });

        FormattableString[] filters =
        [
            $"N ge {5_000_000_000L}",
            $"When eq {when}",
            $"Id eq {id}",
            $"On eq {true}",
            $"D gt {2.0}",
            $"I eq {7}",
            $"RowKey gt {"h"} and RowKey lt {"i"}",
        ];
        foreach (var filter in filters)
        {
            var found = await table.QueryAsync(TableClient.CreateQueryFilter(filter)).ToListAsync();
            Assert.True(found.Count == 1 && found[0].RowKey == "hit", $"{TableClient.CreateQueryFilter(filter)} matched {found.Count}");
        }
    }

    [Fact]
    public async Task Query_follows_continuation_over_more_than_1000_entities()
    {
        var table = await NewTableAsync();
        const int count = 1_234;
        for (var start = 0; start < count; start += 100)
        {
            var actions = Enumerable.Range(start, Math.Min(100, count - start))
                .Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("bulk", $"{i:D5}") { ["I"] = i }));
            await table.SubmitTransactionAsync(actions);
        }

        var pages = await table.QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {"bulk"}")).AsPages().ToListAsync();
        Assert.True(pages.Count >= 2, $"expected the service to page 1,234 entities, got {pages.Count} page(s)");
        var all = pages.SelectMany(p => p.Values).ToList();
        Assert.Equal(Enumerable.Range(0, count), all.Select(e => e.GetInt32("I")!.Value));

        var small = await table.QueryAsync(maxPerPage: 500).AsPages().ToListAsync();
        Assert.Equal([500, 500, 234], small.Select(p => p.Values.Count));
        Assert.Equal(count, (await table.QueryAsync(TableClient.CreateQueryFilter($"I ge {0}"), maxPerPage: 1000).ToListAsync()).Count);
    }
}

internal static class AsyncEnumerableExtensions
{
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
