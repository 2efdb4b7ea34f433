using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.State;

public sealed class LocalStateStoreTests
{
    [Fact]
    public async Task A_written_state_reads_back_equal_from_list_folder_state_json()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        var state = ListAt(7, Host("evil.example"), UnderPath("site.example/a/"), Exact("site.example/b?c=d")) with { StateHash = "ab12", ManifestSha256 = "cd34" };

        await store.WriteAsync(state, CancellationToken.None);
        var read = await store.ReadAsync(ListName.Parse("eu"), CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(directory.Path, "eu", "state.json")));
        Assert.Equal(state.Version, read.Version);
        Assert.Equal(state.Entries, read.Entries);
        Assert.Equal((state.AppliedAt, state.StateHash, state.ManifestSha256), (read.AppliedAt, read.StateHash, read.ManifestSha256));
        Assert.Equal([ListName.Parse("eu")], store.ListNames());
    }

    [Fact]
    public async Task A_missing_state_says_to_run_sync()
    {
        using var directory = TempDirectory();
        var error = await Assert.ThrowsAsync<CliException>(() => new LocalStateStore(directory.Path).ReadAsync(ListName.Parse("uk"), CancellationToken.None));

        Assert.Equal("state-missing", error.Code);
        Assert.Contains("blocklist sync --list uk", error.Hint);
    }

    [Theory]
    [InlineData("\"expression\":\"evil.example/\"", "\"expression\":\"good.example/\"", "is not the SHA-256 of its expression")]
    [InlineData("\"scope\":\"host\"", "\"scope\":\"domain\"", "scope 'domain'")]
    [InlineData("\"list\":\"eu\"", "\"list\":\"uk\"", "names list 'uk'")]
    [InlineData("\"formatVersion\":1", "\"formatVersion\":9", "formatVersion is 9")]
    [InlineData("{", "[", "not valid JSON")]
    public async Task A_damaged_state_is_refused_with_the_reason(string from, string to, string reason)
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        await store.WriteAsync(ListAt(7, Host("evil.example")), CancellationToken.None);
        var path = store.StatePath(ListName.Parse("eu"));
        var text = await File.ReadAllTextAsync(path);
        Assert.Contains(from, text);
        var index = text.IndexOf(from, StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, text[..index] + to + text[(index + from.Length)..]);

        var error = await Assert.ThrowsAsync<CliException>(() => store.ReadAsync(ListName.Parse("eu"), CancellationToken.None));

        Assert.Equal("state-invalid", error.Code);
        Assert.Contains(reason, error.Message);
    }
}
