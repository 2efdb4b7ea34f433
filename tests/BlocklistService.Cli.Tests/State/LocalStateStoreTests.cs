using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.State;

public sealed class LocalStateStoreTests
{
    private static readonly ListName Eu = ListName.Parse("eu");

    [Fact]
    public async Task A_written_state_reads_back_equal_in_id_order_with_the_checksum_of_its_ids()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        var entries = new[] { Host("evil.example"), UnderPath("site.example/a/", "catégorie"), Exact("site.example/b?c=d&e=f") };
        var state = ListAt(7, entries) with { ManifestSha256 = new string('c', 64) };

        await store.WriteAsync(state, CancellationToken.None);
        var read = await store.ReadAsync(Eu, CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(directory.Path, "eu", "state.bin")));
        Assert.Equal(entries.OrderBy(e => e.Id.Hex, StringComparer.Ordinal), read.Entries);
        Assert.Equal(3, read.Count);
        Assert.Equal((7L, AppliedAt, new string('c', 64)), (read.Version, read.AppliedAt, read.ManifestSha256));
        Assert.Equal(LtHash16.StateHashOf(entries.Select(e => e.Id)), read.StateHash);
        Assert.Equal(read.StateHash, store.ReadHeader(Eu).StateHash);
        Assert.Equal([Eu], store.ListNames());
        Assert.Empty(Directory.EnumerateFiles(store.ListDirectory(Eu), "*.tmp"));
    }

    [Fact]
    public async Task An_empty_list_round_trips()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);

        await store.WriteAsync(ListAt(3), CancellationToken.None);
        var read = await store.ReadAsync(Eu, CancellationToken.None);

        Assert.Empty(read.Entries);
        Assert.Equal(LtHash16.EmptyStateHash, read.StateHash);
    }

    [Fact]
    public async Task A_missing_state_says_to_run_sync()
    {
        using var directory = TempDirectory();
        var error = await Assert.ThrowsAsync<CliException>(() => new LocalStateStore(directory.Path).ReadAsync(ListName.Parse("uk"), CancellationToken.None));

        Assert.Equal("state-missing", error.Code);
        Assert.Contains("blocklist sync --list uk", error.Hint);
    }

    [Fact]
    public async Task A_state_json_of_an_older_cli_is_refused_with_what_to_do()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        Directory.CreateDirectory(store.ListDirectory(Eu));
        await File.WriteAllTextAsync(store.OldStatePath(Eu), "{\"formatVersion\":1,\"list\":\"eu\",\"version\":3,\"entries\":[]}\n");

        var error = await Assert.ThrowsAsync<CliException>(() => store.ReadAsync(Eu, CancellationToken.None));

        Assert.Equal("state-old-format", error.Code);
        Assert.Contains("state.json", error.Message);
        Assert.Contains($"Delete {store.OldStatePath(Eu)}", error.Hint);
        Assert.Contains("blocklist sync --list eu", error.Hint);
        Assert.Equal([Eu], store.ListNames());
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "record byte", "do not match the SHA-256 in its head" },
        { "head byte", "its head does not match its own SHA-256" },
        { "truncated", "truncated" },
        { "magic", "not a BlocklistService state file" },
        { "json", "older CLI" },
        { "appended record", "out of id order" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_state_file_is_refused_with_the_reason(string damage, string reason)
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        await store.WriteAsync(ListAt(7, Host("evil.example"), Host("other.example"), Exact("site.example/x")), CancellationToken.None);
        var path = store.StatePath(Eu);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes = damage switch
        {
            "record byte" => Flip(bytes, StateFile.HeadLength + 40),
            "head byte" => Flip(bytes, 50),
            "truncated" => bytes[..^5],
            "magic" => Flip(bytes, 0),
            "json" => "{\"formatVersion\":1}"u8.ToArray(),
            _ => [.. bytes, .. bytes[StateFile.HeadLength..]],
        };
        await File.WriteAllBytesAsync(path, bytes);

        var error = await Assert.ThrowsAsync<CliException>(async () => (await store.ReadAsync(Eu, CancellationToken.None)).Entries.ToList());

        Assert.Equal("state-invalid", error.Code);
        Assert.Contains(reason, error.Message);
        Assert.Contains("delete the list's folder and run `blocklist sync`", error.Hint);
    }

    [Fact]
    public async Task A_state_file_of_another_list_is_refused()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        await store.WriteAsync(ListAt(7, Host("evil.example")), CancellationToken.None);
        var uk = ListName.Parse("uk");
        Directory.CreateDirectory(store.ListDirectory(uk));
        File.Copy(store.StatePath(Eu), store.StatePath(uk));

        var error = await Assert.ThrowsAsync<CliException>(() => store.ReadAsync(uk, CancellationToken.None));

        Assert.Contains("names list 'eu', not 'uk'", error.Message);
    }

    [Fact]
    public async Task A_commit_cancelled_before_the_rename_keeps_the_old_state_and_removes_the_new_file()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        await store.WriteAsync(ListAt(1, Host("old.example")), CancellationToken.None);
        var before = await File.ReadAllBytesAsync(store.StatePath(Eu));
        var temporary = store.TemporaryStatePath(Eu);
        using (var writer = new StateFileWriter(temporary))
        {
            writer.Write(Host("new.example"));
            writer.Finish(new StateFileHeader(Eu, 2, 1, AppliedAt, null, LtHash16.Of([Host("new.example").Id]).ToBytes()));
        }

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CommitAsync(Eu, temporary, ("{}"u8.ToArray(), new byte[] { 1 }), cancelled.Token));

        Assert.Equal(before, await File.ReadAllBytesAsync(store.StatePath(Eu)));
        Assert.False(File.Exists(temporary));
        Assert.False(File.Exists(store.ManifestPath(Eu)));
    }

    [Fact]
    public async Task A_finished_file_that_was_never_committed_does_not_change_the_state()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        await store.WriteAsync(ListAt(1, Host("old.example")), CancellationToken.None);
        var temporary = store.TemporaryStatePath(Eu);
        using (var writer = new StateFileWriter(temporary))
        {
            writer.Write(Host("new.example"));
            writer.Finish(new StateFileHeader(Eu, 2, 1, AppliedAt, null, LtHash16.Of([Host("new.example").Id]).ToBytes()));
        }

        // As after a crash between writing the new file and renaming it.
        var read = await store.ReadAsync(Eu, CancellationToken.None);

        Assert.Equal(1, read.Version);
        Assert.Equal([Host("old.example")], read.Entries);
        File.SetLastWriteTimeUtc(temporary, DateTime.UtcNow.AddHours(-2));
        store.DeleteLeftovers(Eu);
        Assert.False(File.Exists(temporary));
    }

    [Fact]
    public void An_unfinished_writer_deletes_its_file()
    {
        using var directory = TempDirectory();
        var path = directory.File("partial.tmp");
        using (var writer = new StateFileWriter(path))
        {
            writer.Write(Host("a.example"));
        }

        Assert.False(File.Exists(path));
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= 0x55;
        return copy;
    }
}
