using Azure;
using BlocklistService.Storage.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Storage.Tests.Tables;

[Collection(StorageCollection.Name)]
public sealed class TableTransactionTests(AzuriteFixture storage)
{
    private async Task<TableClient> NewTableAsync()
    {
        var table = new TableClient(storage.ConnectionString, Azurite.UniqueName("tx"));
        await table.CreateIfNotExistsAsync();
        return table;
    }

    [Fact]
    public async Task A_transaction_applies_every_kind_of_action()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "merge") { ["Keep"] = "k", ["V"] = 1 });
        await table.AddEntityAsync(new TableEntity("p", "replace") { ["Drop"] = "d" });
        await table.AddEntityAsync(new TableEntity("p", "delete"));
        var merge = (await table.GetEntityAsync("p", "merge")).Value;

        var result = await table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.Add, new TableEntity("p", "add") { ["V"] = 10L }),
            new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "merge") { ["V"] = 2 }, merge.ETag),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "replace") { ["New"] = "n" }),
            new(TableTransactionActionType.Delete, new TableEntity("p", "delete")),
            new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "upsert1") { ["U"] = true }),
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "upsert2") { ["When"] = DateTimeOffset.UnixEpoch }),
        ]);

        Assert.Equal(202, result.GetRawResponse().Status);
        Assert.Equal(6, result.Value.Count);
        Assert.All(result.Value, r => Assert.Equal(204, r.Status));
        Assert.Equal(10L, (await table.GetEntityAsync("p", "add")).Value.GetInt64("V"));
        var merged = (await table.GetEntityAsync("p", "merge")).Value;
        Assert.Equal(("k", 2), (merged.GetString("Keep"), merged.GetInt32("V")));
        var replaced = (await table.GetEntityAsync("p", "replace")).Value;
        Assert.Equal(("n", false), (replaced.GetString("New"), replaced.ContainsKey("Drop")));
        Assert.False((await table.GetEntityIfExistsAsync("p", "delete")).HasValue);
        Assert.Equal(true, (await table.GetEntityAsync("p", "upsert1")).Value.GetBoolean("U"));
        Assert.Equal(DateTimeOffset.UnixEpoch, (await table.GetEntityAsync("p", "upsert2")).Value.GetDateTimeOffset("When"));
    }

    [Fact]
    public async Task One_failing_action_writes_nothing_and_is_named_by_index()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r3") { ["Original"] = true });

        var actions = Enumerable.Range(0, 6).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"r{i}") { ["I"] = i })).ToList();
        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(actions));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
        Assert.Equal(3, error.FailedTransactionActionIndex);
        Assert.Contains("action 3", error.Message);
        var left = await table.QueryAsync().ToListAsync();
        Assert.Equal("r3", Assert.Single(left).RowKey);
        Assert.Equal(true, left[0].GetBoolean("Original"));
    }

    [Fact]
    public async Task A_stale_ETag_in_a_transaction_fails_it_with_412_at_that_action()
    {
        var table = await NewTableAsync();
        var first = await table.AddEntityAsync(new TableEntity("p", "a") { ["V"] = 1 });
        await table.UpsertEntityAsync(new TableEntity("p", "a") { ["V"] = 2 });

        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "b") { ["V"] = 1 }),
            new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "a") { ["V"] = 3 }, first.Headers.ETag!.Value),
        ]));

        Assert.Equal(412, error.Status);
        Assert.Equal(1, error.FailedTransactionActionIndex);
        Assert.False((await table.GetEntityIfExistsAsync("p", "b")).HasValue);
        Assert.Equal(2, (await table.GetEntityAsync("p", "a")).Value.GetInt32("V"));
    }

    [Fact]
    public async Task Transactions_outside_the_service_limits_are_refused_before_sending()
    {
        var table = new TableClient(storage.ConnectionString, Azurite.UniqueName("never"));
        var tooMany = Enumerable.Range(0, 101).Select(i => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", $"{i}")));
        Assert.Contains("at most 100", (await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(tooMany))).Message);

        var twoPartitions = new[] { new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "1")), new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("q", "2")) };
        Assert.Contains("one partition", (await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(twoPartitions))).Message);

        var twice = new[] { new TableTransactionAction(TableTransactionActionType.Add, new TableEntity("p", "1")), new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity("p", "1")) };
        Assert.Contains("again", (await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync(twice))).Message);

        await Assert.ThrowsAsync<ArgumentException>(() => table.SubmitTransactionAsync([]));
    }
}
