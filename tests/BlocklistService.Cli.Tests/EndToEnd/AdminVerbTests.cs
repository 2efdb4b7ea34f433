using System.Globalization;
using System.Text.Json;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// <c>blocklist admin ...</c> against the real server: a version held by the change guard is shown and approved with a
/// reason, an item held because it touches a protected host is approved or rejected, publishing runs on demand, and
/// the ISP table shows who polled which version.
/// </summary>
public sealed class AdminVerbTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _home = TestStates.TempDirectory();
    private Azurite _azurite = null!;
    private ServiceHost _service = null!;
    private string _publicKey = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        var signingKey = _home.File("signing-key.pem");
        var devKey = await CliRun.RunAsync(_home.Path, null, "dev-key", "--output", signingKey, "--json");
        Assert.True(devKey.ExitCode == 0, devKey.ToString());
        _publicKey = _home.File("service.pem");
        await File.WriteAllTextAsync(_publicKey, devKey.Json().GetProperty("publicKeyPem").GetString());
        _service = ServiceHost.Start(_azurite.ConnectionString, signingKey, new Dictionary<string, string>
        {
            // any version of more than two changes is held, so three items make a hold
            ["Publishing:HoldChanges"] = "2",
            ["Publishing:HoldMinimumChanges"] = "1",
            ["Ingest:ProtectedHosts:0"] = "protected.test",
        });
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _azurite.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task An_admin_approves_a_held_version_and_decides_held_items_with_the_cli()
    {
        var admin = _service.AdminKey.Value;
        var hotline = await IssueAsync("--role", "hotline", "--organisation", "hotline-admin");
        var isp = await IssueAsync("--role", "isp", "--organisation", "isp-admin", "--lists", "eu");
        var verifiedAt = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var input = _home.File("reports.csv");
        await File.WriteAllTextAsync(input, $"""
            action,url,scope,lists,category,reference,verifiedAt,verifiedBy
            add,http://a.test/,host,eu,csam,A-1,{verifiedAt},a1;a2
            add,http://b.test/,host,eu,csam,A-2,{verifiedAt},a1;a2
            add,http://c.test/,host,eu,csam,A-3,{verifiedAt},a1;a2
            add,http://protected.test/abuse/1.jpg,exact,eu,csam,A-4,{verifiedAt},a1;a2
            add,http://protected.test/abuse/2.jpg,exact,eu,csam,A-5,{verifiedAt},a1;a2

            """);
        var submitted = await CliAsync(hotline, "submit", input, "--json");
        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        Assert.Equal(2, submitted.Json().GetProperty("held").GetInt32());
        var submission = submitted.Json().GetProperty("submissions")[0].GetString()!;

        // the two protected-host items wait for review; one is approved, one rejected, each with a reason
        var reviews = await CliAsync(admin, "admin", "reviews", "--json");
        Assert.True(reviews.ExitCode == 0, reviews.ToString());
        Assert.Equal([3, 4], reviews.Json().GetProperty("items").EnumerateArray().Where(i => i.GetProperty("submissionId").GetString() == submission).Select(i => i.GetProperty("index").GetInt32()));
        var reviewsText = await CliAsync(admin, "admin", "reviews");
        Assert.Contains("protected.test/abuse/1.jpg", reviewsText.Output, StringComparison.Ordinal);
        var approve = await CliAsync(admin, "admin", "review", "approve", submission, "3", "--reason", "checked with the host's abuse desk", "--json");
        Assert.True(approve.ExitCode == 0, approve.ToString());
        var reject = await CliAsync(admin, "admin", "review", "reject", submission, "4", "--reason", "the host's own report form");
        Assert.True(reject.ExitCode == 0, reject.ToString());
        Assert.Contains("Item 4 of " + submission, reject.Output, StringComparison.Ordinal);
        var again = await CliAsync(admin, "admin", "review", "reject", submission, "4", "--json");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("conflict", again.Json().GetProperty("error").GetProperty("code").GetString());

        // four changes for eu: more than the guard allows, so publishing holds the version
        var publish = await CliAsync(admin, "admin", "publish", "--reason", "publish in test", "--json");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        var eu = publish.Json().GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("list").GetString() == "eu");
        Assert.Equal("held", eu.GetProperty("outcome").GetString());

        var holds = await CliAsync(admin, "admin", "holds", "--json");
        Assert.True(holds.ExitCode == 0, holds.ToString());
        var hold = Assert.Single(holds.Json().GetProperty("holds").EnumerateArray(), h => h.GetProperty("list").GetString() == "eu");
        var holdId = hold.GetProperty("id").GetString()!;
        Assert.Equal(4, hold.GetProperty("listed").GetInt64());
        var shown = await CliAsync(admin, "admin", "hold", "show", holdId);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains(submission, shown.Output, StringComparison.Ordinal);
        Assert.Contains("whole-host blocks: 3", shown.Output, StringComparison.Ordinal);
        Assert.Contains("entries on protected hosts: 1", shown.Output, StringComparison.Ordinal);
        Assert.Contains("more: --offset 2", (await CliAsync(admin, "admin", "hold", "show", holdId, "--limit", "2")).Output, StringComparison.Ordinal);

        // the exact change set: counts, the whole-host blocks and protected-host entries, paged changes, the digest
        var page = (await CliAsync(admin, "admin", "hold", "show", holdId, "--limit", "2", "--json")).Json();
        Assert.Equal(64, page.GetProperty("digest").GetString()!.Length);
        Assert.Equal(4, page.GetProperty("counts").GetProperty("changes").GetInt32());
        Assert.Equal(3, page.GetProperty("counts").GetProperty("byScope").GetProperty("host").GetInt32());
        Assert.Equal(3, page.GetProperty("hostScope").GetArrayLength());
        Assert.Equal("protected.test/abuse/1.jpg", Assert.Single(page.GetProperty("protectedHosts").EnumerateArray()).GetProperty("expression").GetString());
        Assert.Equal((2, 2), (page.GetProperty("changes").GetArrayLength(), page.GetProperty("nextOffset").GetInt32()));
        var every = (await CliAsync(admin, "admin", "hold", "show", holdId, "--limit", "1", "--all", "--json")).Json();
        Assert.Equal(4, every.GetProperty("changes").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, every.GetProperty("nextOffset").ValueKind);
        var missing = await CliAsync(admin, "admin", "hold", "show", "no-such-hold", "--json");
        Assert.Equal("not-found", missing.Json().GetProperty("error").GetProperty("code").GetString());

        var approved = await CliAsync(admin, "admin", "hold", "approve", holdId, "--reason", "first import of hotline-admin, checked", "--json");
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.Equal(1, approved.Json().GetProperty("published").GetProperty("version").GetInt64());

        // the ISP syncs the approved version; the ISP table shows its key at that version, nothing behind
        var sync = await CliAsync(isp, "sync", "--list", "eu", "--once", "--now", "--trusted-key", _publicKey, "--json");
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Equal(4, sync.Json().GetProperty("entries").GetInt32());
        await CliAsync(isp, "sync", "--list", "eu", "--once", "--now", "--trusted-key", _publicKey, "--json");
        var isps = await CliAsync(admin, "admin", "isps", "--json");
        Assert.True(isps.ExitCode == 0, isps.ToString());
        var row = Assert.Single(isps.Json().GetProperty("isps").EnumerateArray(), i => i.GetProperty("organisation").GetString() == "isp-admin");
        var list = Assert.Single(row.GetProperty("lists").EnumerateArray());
        Assert.Equal(1, list.GetProperty("currentVersion").GetInt64());
        Assert.Equal(1, list.GetProperty("reportedVersion").GetInt64());
        var ispsText = await CliAsync(admin, "admin", "isps");
        Assert.Contains("isp-admin", ispsText.Output, StringComparison.Ordinal);

        var forbidden = await CliAsync(hotline, "admin", "holds", "--json");
        Assert.Equal("forbidden", forbidden.Json().GetProperty("error").GetProperty("code").GetString());
    }

    private async Task<string> IssueAsync(params string[] options)
    {
        var run = await CliAsync(_service.AdminKey.Value, ["keys", "create", .. options, "--reason", "key for the test", "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json().GetProperty("key").GetString()!;
    }

    private Task<CliRun> CliAsync(string apiKey, params string[] args) =>
        CliRun.RunAsync(_home.Path, new Dictionary<string, string>
        {
            ["BLOCKLIST_STATE_DIR"] = Path.Combine(_home.Path, "state"),
            ["BLOCKLIST_API_URL"] = _service.BaseUri.ToString(),
            ["BLOCKLIST_API_KEY"] = apiKey,
        }, args);
}
