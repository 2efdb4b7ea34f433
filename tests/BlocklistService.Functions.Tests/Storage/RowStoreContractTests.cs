using System.Globalization;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Storage;

/// <summary>
/// What every <see cref="IRowStore"/> promises, run against the SDK-backed store on Azurite and against the memory
/// store, so a test that passes on memory means the same on Table Storage.
/// </summary>
public sealed class RowStoreContractTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private const string Table = "lists";

    public static TheoryData<string> Backends => PublishWorld.Backends;

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_missing_row_reads_as_null(string backend)
    {
        var rows = await RowsAsync(backend);

        Assert.Null(await rows.GetAsync(Table, "p", "absent", default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Add_is_create_only_and_leaves_the_existing_row_alone(string backend)
    {
        var rows = await RowsAsync(backend);
        await rows.AddAsync(Table, Make("p", "r", ("Value", "first")), default);

        await Assert.ThrowsAsync<RowConflictException>(() => rows.AddAsync(Table, Make("p", "r", ("Value", "second")), default));

        Assert.Equal("first", (await rows.GetAsync(Table, "p", "r", default))!.GetString("Value"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Update_succeeds_on_the_current_ETag_and_refuses_a_stale_one(string backend)
    {
        var rows = await RowsAsync(backend);
        var first = await rows.AddAsync(Table, Make("p", "r", ("Value", "v1")), default);
        Assert.Equal(first, (await rows.GetAsync(Table, "p", "r", default))!.ETag);

        var second = await rows.UpdateAsync(Table, Make("p", "r", ("Value", "v2")), first, default);
        Assert.NotEqual(first, second);

        // the first ETag is stale now: the service answers 412 and nothing changes
        await Assert.ThrowsAsync<RowConflictException>(() => rows.UpdateAsync(Table, Make("p", "r", ("Value", "v3")), first, default));
        var stored = (await rows.GetAsync(Table, "p", "r", default))!;
        Assert.Equal("v2", stored.GetString("Value"));
        Assert.Equal(second, stored.ETag);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Update_of_a_row_that_is_gone_is_a_conflict(string backend)
    {
        var rows = await RowsAsync(backend);
        var etag = await rows.AddAsync(Table, Make("p", "r"), default);
        await rows.DeleteAsync(Table, [("p", "r")], default);

        await Assert.ThrowsAsync<RowConflictException>(() => rows.UpdateAsync(Table, Make("p", "r"), etag, default));
        Assert.Null(await rows.GetAsync(Table, "p", "r", default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Upsert_replaces_whole_rows_across_partitions_and_past_one_transaction(string backend)
    {
        var rows = await RowsAsync(backend);
        await rows.AddAsync(Table, Make("a", Key(0), ("Old", "dropped")), default);

        var batch = Enumerable.Range(0, 250).Select(i => Make(i % 2 == 0 ? "a" : "b", Key(i), ("Value", (long)i))).ToList();
        await rows.UpsertAsync(Table, batch, default);

        var a = await QueryAsync(rows, "a");
        var b = await QueryAsync(rows, "b");
        Assert.Equal(125, a.Count);
        Assert.Equal(125, b.Count);
        Assert.Null(a[0].GetString("Old"));
        Assert.Equal(0L, a[0].GetInt64("Value"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Delete_tolerates_rows_that_are_already_gone(string backend)
    {
        var rows = await RowsAsync(backend);
        await rows.UpsertAsync(Table, [Make("p", "1"), Make("p", "3")], default);

        await rows.DeleteAsync(Table, [("p", "1"), ("p", "2"), ("p", "3"), ("q", "9")], default);

        Assert.Empty(await QueryAsync(rows, "p"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_query_follows_continuations_past_a_thousand_rows_in_row_key_order(string backend)
    {
        var rows = await RowsAsync(backend);
        const int count = 1234;
        await rows.UpsertAsync(Table, Enumerable.Range(0, count).Reverse().Select(i => Make("big", Key(i))).ToList(), default);

        var all = await QueryAsync(rows, "big");
        var range = await QueryAsync(rows, "big", Key(1000), Key(1200));

        Assert.Equal(Enumerable.Range(0, count).Select(Key), all.Select(r => r.RowKey));
        Assert.Equal(Enumerable.Range(1000, 200).Select(Key), range.Select(r => r.RowKey));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Keys_with_quotes_and_non_ASCII_text_are_matched_exactly(string backend)
    {
        var rows = await RowsAsync(backend);
        const string partition = "o'brien ' or 'a'='a-Grüße-日本";
        await rows.UpsertAsync(Table, [Make(partition, "it's"), Make(partition, "z'"), Make(partition + "x", "it's"), Make("o", "a")], default);

        var found = await QueryAsync(rows, partition);
        var from = await QueryAsync(rows, partition, "it's", "z'");

        Assert.Equal(["it's", "z'"], found.Select(r => r.RowKey));
        Assert.All(found, r => Assert.Equal(partition, r.PartitionKey));
        Assert.Equal(["it's"], from.Select(r => r.RowKey));
        Assert.NotNull(await rows.GetAsync(Table, partition, "it's", default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Non_ASCII_row_keys_are_matched_exactly_and_bound_ranges_in_code_point_order(string backend)
    {
        var rows = await RowsAsync(backend);
        string[] keys = ["a", "z", "ä'", "é", "日本-'1'", "日本-'2'"];
        await rows.UpsertAsync(Table, keys.Reverse().Select(k => Make("grüße", k, ("Key", k))).ToList(), default);

        var all = await QueryAsync(rows, "grüße");
        var accented = await QueryAsync(rows, "grüße", "ä'", "日");
        var japanese = await QueryAsync(rows, "grüße", "日本-'", "日本-(");

        Assert.Equal(keys, all.Select(r => r.RowKey));
        Assert.All(all, r => Assert.Equal(r.RowKey, r.GetString("Key")));
        Assert.Equal(["ä'", "é"], accented.Select(r => r.RowKey));
        Assert.Equal(["日本-'1'", "日本-'2'"], japanese.Select(r => r.RowKey));
        Assert.Equal("é", (await rows.GetAsync(Table, "grüße", "é", default))!.GetString("Key"));
        Assert.Null(await rows.GetAsync(Table, "grusse", "é", default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_whole_table_query_follows_continuations_across_partitions(string backend)
    {
        var rows = await RowsAsync(backend);
        var written = Enumerable.Range(0, 1150).Select(i => Make($"p{i % 3}", Key(i))).ToList();
        await rows.UpsertAsync(Table, written, default);

        var found = new List<(string, string)>();
        await foreach (var row in rows.QueryAllAsync(Table, default))
        {
            found.Add((row.PartitionKey, row.RowKey));
        }

        Assert.Equal(written.Select(r => (r.PartitionKey, r.RowKey)).Order(), found.Order());
        Assert.Equal(found.Count, found.Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Typed_properties_round_trip_and_a_missing_property_reads_as_null(string backend)
    {
        var rows = await RowsAsync(backend);
        var when = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.Zero).AddTicks(1234567);
        await rows.AddAsync(Table, Make("p", "typed",
            ("Text", "Grüße 'aus' Köln – 日本"),
            ("Big", 9_007_199_254_740_993L),
            ("Small", -17),
            ("Flag", true),
            ("When", when),
            ("Bytes", new byte[] { 0, 1, 254, 255 }),
            ("Nothing", null)), default);

        var row = (await rows.GetAsync(Table, "p", "typed", default))!;

        Assert.Equal("Grüße 'aus' Köln – 日本", row.GetString("Text"));
        Assert.Equal(9_007_199_254_740_993L, row.GetInt64("Big"));
        Assert.Equal(-17, row.GetInt32("Small"));
        Assert.Equal(-17L, row.GetInt64("Small"));
        Assert.True(row.GetBoolean("Flag"));
        Assert.Equal(when, row.GetDateTimeOffset("When"));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, row.GetBinary("Bytes"));
        Assert.False(row.Properties.ContainsKey("Nothing"));
        Assert.Null(row.GetInt64("Nothing"));
        Assert.Null(row.GetInt32("Absent"));
        Assert.Null(row.GetString("Absent"));
        Assert.Null(row.GetBoolean("Absent"));
        Assert.Null(row.GetDateTimeOffset("Absent"));
        Assert.Null(row.GetBinary("Absent"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_batch_is_all_or_nothing(string backend)
    {
        var rows = await RowsAsync(backend);
        await rows.AddAsync(Table, Make("p", "taken", ("Value", "kept")), default);

        await Assert.ThrowsAsync<RowConflictException>(() => rows.SubmitAsync(Table,
        [
            RowAction.Add(Make("p", "new")),
            RowAction.Upsert(Make("p", "other")),
            RowAction.Add(Make("p", "taken", ("Value", "lost"))),
        ], default));

        var stored = await QueryAsync(rows, "p");
        Assert.Equal(["taken"], stored.Select(r => r.RowKey));
        Assert.Equal("kept", stored[0].GetString("Value"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_batch_with_a_stale_ETag_or_a_missing_delete_writes_nothing(string backend)
    {
        var rows = await RowsAsync(backend);
        var stale = await rows.AddAsync(Table, Make("p", "head", ("Version", 1L)), default);
        var current = await rows.UpdateAsync(Table, Make("p", "head", ("Version", 2L)), stale, default);

        await Assert.ThrowsAsync<RowConflictException>(() => rows.SubmitAsync(Table,
            [RowAction.Add(Make("p", "v3")), RowAction.UpdateIfMatch(Make("p", "head", ("Version", 3L)), stale)], default));
        await Assert.ThrowsAsync<RowConflictException>(() => rows.SubmitAsync(Table,
            [RowAction.Add(Make("p", "v3")), RowAction.Delete("p", "absent")], default));
        Assert.Equal(["head"], (await QueryAsync(rows, "p")).Select(r => r.RowKey));

        await rows.SubmitAsync(Table,
            [RowAction.Add(Make("p", "v3")), RowAction.UpdateIfMatch(Make("p", "head", ("Version", 3L)), current), RowAction.Merge(Make("p", "v3-extra", ("A", "a")))], default);
        Assert.Equal(3L, (await rows.GetAsync(Table, "p", "head", default))!.GetInt64("Version"));
        Assert.Equal(["head", "v3", "v3-extra"], (await QueryAsync(rows, "p")).Select(r => r.RowKey));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Merge_sets_the_given_properties_and_keeps_the_others(string backend)
    {
        var rows = await RowsAsync(backend);
        await rows.AddAsync(Table, Make("p", "r", ("A", "a"), ("B", 1L)), default);

        await rows.SubmitAsync(Table, [RowAction.Merge(Make("p", "r", ("B", 2L), ("C", true)))], default);

        var row = (await rows.GetAsync(Table, "p", "r", default))!;
        Assert.Equal("a", row.GetString("A"));
        Assert.Equal(2L, row.GetInt64("B"));
        Assert.True(row.GetBoolean("C"));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_batch_must_be_one_partition_of_at_most_a_hundred_distinct_rows(string backend)
    {
        var rows = await RowsAsync(backend);

        await Assert.ThrowsAsync<ArgumentException>(() => rows.SubmitAsync(Table, [RowAction.Upsert(Make("a", "1")), RowAction.Upsert(Make("b", "1"))], default));
        await Assert.ThrowsAsync<ArgumentException>(() => rows.SubmitAsync(Table, [RowAction.Upsert(Make("a", "1")), RowAction.Merge(Make("a", "1"))], default));
        await Assert.ThrowsAsync<ArgumentException>(() => rows.SubmitAsync(Table, Enumerable.Range(0, 101).Select(i => RowAction.Upsert(Make("a", Key(i)))).ToList(), default));
        Assert.Empty(await QueryAsync(rows, "a"));
    }

    private async Task<IRowStore> RowsAsync(string backend) => (await PublishWorld.CreateAsync(backend, storage)).Rows;

    private static Row Make(string partitionKey, string rowKey, params (string Name, object? Value)[] properties) =>
        new(partitionKey, rowKey, properties.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal));

    private static string Key(int i) => i.ToString("D6", CultureInfo.InvariantCulture);

    private static async Task<List<Row>> QueryAsync(IRowStore rows, string partition, string? from = null, string? to = null)
    {
        var found = new List<Row>();
        await foreach (var row in rows.QueryAsync(Table, partition, from, to, default))
        {
            found.Add(row);
        }

        return found;
    }
}
