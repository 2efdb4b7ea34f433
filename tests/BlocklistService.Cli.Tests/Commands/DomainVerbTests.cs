using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Testing;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Commands;

/// <summary>canonicalize, check and dev-key, run in-process with <c>--json</c>.</summary>
public sealed class DomainVerbTests
{
    [Fact]
    public async Task Canonicalize_prints_the_canonical_url_expression_and_id()
    {
        using var home = TempDirectory();
        var run = await CliRun.RunAsync(home.Path, null, "canonicalize", "http://Evil.Example/a/../b.html?x=1#frag", "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var json = run.Json();
        Assert.Equal("http://evil.example/b.html?x=1", json.GetProperty("canonicalUrl").GetString());
        Assert.Equal("exact", json.GetProperty("scope").GetString());
        Assert.Equal("evil.example/b.html?x=1", json.GetProperty("expression").GetString());
        Assert.Equal(EntryId.ForExpression("evil.example/b.html?x=1").Hex, json.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Canonicalize_with_host_scope_lists_the_host()
    {
        using var home = TempDirectory();
        var run = await CliRun.RunAsync(home.Path, null, "canonicalize", "https://WWW.Evil.Example/any/page", "--scope", "host", "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Equal("www.evil.example/", run.Json().GetProperty("expression").GetString());
    }

    [Fact]
    public async Task Canonicalize_refuses_a_url_that_cannot_be_listed_with_exit_2_and_the_reason()
    {
        using var home = TempDirectory();
        var run = await CliRun.RunAsync(home.Path, null, "canonicalize", "ftp://files.example/x", "--json");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("http", run.Json().GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Check_names_the_entries_that_block_a_url_and_exits_3()
    {
        using var home = TempDirectory();
        var store = new LocalStateStore(home.File("state"));
        await store.WriteAsync(ListAt(5, Host("evil.example"), UnderPath("site.example/gallery/"), Exact("site.example/other.html")), CancellationToken.None);

        var run = await CliRun.RunAsync(home.Path, null, "check", "http://www.evil.example/x/y.html", "--state-dir", store.Root, "--json");

        Assert.True(run.ExitCode == ExitCodes.Blocked, run.ToString());
        var json = run.Json();
        Assert.True(json.GetProperty("blocked").GetBoolean());
        Assert.Equal(5, json.GetProperty("version").GetInt64());
        var match = Assert.Single(json.GetProperty("matches").EnumerateArray());
        Assert.Equal("evil.example/", match.GetProperty("expression").GetString());
        Assert.Equal("host", match.GetProperty("scope").GetString());
        Assert.Equal(EntryId.ForExpression("evil.example/").Hex, match.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("http://site.example/gallery/1.jpg", true)]
    [InlineData("http://site.example/other.html", true)]
    [InlineData("http://site.example/galleryx/1.jpg", false)]
    [InlineData("http://notevil.example/", false)]
    public async Task Check_follows_safe_browsing_lookups_in_the_local_state(string url, bool blocked)
    {
        using var home = TempDirectory();
        var store = new LocalStateStore(home.File("state"));
        await store.WriteAsync(ListAt(5, Host("evil.example"), UnderPath("site.example/gallery/"), Exact("site.example/other.html")), CancellationToken.None);

        var run = await CliRun.RunAsync(home.Path, null, "check", url, "--state-dir", store.Root, "--json");

        Assert.Equal(blocked ? ExitCodes.Blocked : ExitCodes.Ok, run.ExitCode);
        Assert.Equal(blocked, run.Json().GetProperty("blocked").GetBoolean());
    }

    [Fact]
    public async Task Dev_key_writes_a_private_key_openssl_reads_and_prints_its_key_id()
    {
        using var home = TempDirectory();
        var path = home.File("dev.pem");

        var run = await CliRun.RunAsync(home.Path, null, "dev-key", "--output", path, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var json = run.Json();
        Assert.Equal(path, json.GetProperty("path").GetString());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var publicKey = await ProcessRunner.RunAsync("openssl", ["pkey", "-in", path, "-pubout"]);
        Assert.True(publicKey.ExitCode == 0, publicKey.ToString());
        Assert.Equal(publicKey.StandardOutput.Trim(), json.GetProperty("publicKeyPem").GetString()!.Trim());
        var der = await ProcessRunner.RunAsync("openssl", ["pkey", "-in", path, "-pubout", "-outform", "DER", "-out", home.File("pub.der")]);
        Assert.True(der.ExitCode == 0, der.ToString());
        var keyId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(home.File("pub.der"))));
        Assert.Equal(keyId, json.GetProperty("keyId").GetString());

        // tools/run prints the id of its development key with the same shell function
        var script = await ProcessRunner.RunAsync("bash", ["-c", "source tools/lib/common.sh && signing_key_id \"$0\"", path]);
        Assert.True(script.ExitCode == 0, script.ToString());
        Assert.Equal(keyId, script.StandardOutput.Trim());

        var again = await CliRun.RunAsync(home.Path, null, "dev-key", "--output", path, "--json");
        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Equal("key-exists", again.Json().GetProperty("error").GetProperty("code").GetString());
    }
}
