using System.Text.Json;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// <c>blocklist admin ...</c> against the real server: a version held by the change guard is shown and approved with a
/// reason, an item held because it touches a protected host is approved or rejected, publishing runs on demand, and
/// the ISP table shows who polled which version.
/// </summary>
public sealed class AdminVerbTests : IAsyncLifetime
{
    private EndToEndWorld _world = null!;

    public async Task InitializeAsync() => _world = await EndToEndWorld.StartAsync(new Dictionary<string, string>
    {
        // any version of more than two changes is held, so three items make a hold
        ["Publishing:HoldChanges"] = "2",
        ["Publishing:HoldMinimumChanges"] = "1",
        ["Ingest:ProtectedHosts:0"] = "protected.test",
    });

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task An_admin_approves_a_held_version_and_decides_held_items_with_the_cli()
    {
        var admin = _world.AdminKey;
        var hotline = await _world.IssueKeyAsync("--role", "hotline", "--organisation", "hotline-admin");
        var isp = await _world.IssueKeyAsync("--role", "isp", "--organisation", "isp-admin", "--lists", "eu");
        var verifiedAt = EndToEndWorld.Timestamp(DateTimeOffset.UtcNow.AddHours(-1));
        var submitted = await _world.SubmitAsync(hotline, "reports.csv", $"""
            add,http://a.test/,host,eu,csam,A-1,{verifiedAt},a1;a2
            add,http://b.test/,host,eu,csam,A-2,{verifiedAt},a1;a2
            add,http://c.test/,host,eu,csam,A-3,{verifiedAt},a1;a2
            add,http://protected.test/abuse/1.jpg,exact,eu,csam,A-4,{verifiedAt},a1;a2
            add,http://protected.test/abuse/2.jpg,exact,eu,csam,A-5,{verifiedAt},a1;a2
            """);
        Assert.Equal(2, submitted.Json().GetProperty("held").GetInt32());
        var submission = submitted.Json().GetProperty("submissions")[0].GetString()!;

        // the two protected-host items wait for review; one is approved, one rejected, each with a reason
        var reviews = await _world.CliAsync(admin, "admin", "reviews", "--json");
        Assert.True(reviews.ExitCode == 0, reviews.ToString());
        Assert.Equal([3, 4], reviews.Json().GetProperty("items").EnumerateArray().Where(i => i.GetProperty("submissionId").GetString() == submission).Select(i => i.GetProperty("index").GetInt32()));
        var reviewsText = await _world.CliAsync(admin, "admin", "reviews");
        Assert.Contains("protected.test/abuse/1.jpg", reviewsText.Output, StringComparison.Ordinal);
        var approve = await _world.CliAsync(admin, "admin", "review", "approve", submission, "3", "--reason", "checked with the host's abuse desk", "--json");
        Assert.True(approve.ExitCode == 0, approve.ToString());
        var reject = await _world.CliAsync(admin, "admin", "review", "reject", submission, "4", "--reason", "the host's own report form");
        Assert.True(reject.ExitCode == 0, reject.ToString());
        Assert.Contains("Item 4 of " + submission, reject.Output, StringComparison.Ordinal);
        var again = await _world.CliAsync(admin, "admin", "review", "reject", submission, "4", "--json");
        Assert.Equal(1, again.ExitCode);
        Assert.Equal("conflict", again.Json().GetProperty("error").GetProperty("code").GetString());

        // four changes for eu: more than the guard allows, so publishing holds the version
        var publish = await _world.CliAsync(admin, "admin", "publish", "--reason", "publish in test", "--json");
        Assert.True(publish.ExitCode == 0, publish.ToString());
        var eu = publish.Json().GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("list").GetString() == "eu");
        Assert.Equal("held", eu.GetProperty("outcome").GetString());

        var holds = await _world.CliAsync(admin, "admin", "holds", "--json");
        Assert.True(holds.ExitCode == 0, holds.ToString());
        var hold = Assert.Single(holds.Json().GetProperty("holds").EnumerateArray(), h => h.GetProperty("list").GetString() == "eu");
        var holdId = hold.GetProperty("id").GetString()!;
        Assert.Equal(4, hold.GetProperty("listed").GetInt64());
        var shown = await _world.CliAsync(admin, "admin", "hold", "show", holdId);
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Contains(submission, shown.Output, StringComparison.Ordinal);
        Assert.Contains("whole-host blocks: 3", shown.Output, StringComparison.Ordinal);
        Assert.Contains("entries on protected hosts: 1", shown.Output, StringComparison.Ordinal);
        Assert.Contains("more: --offset 2", (await _world.CliAsync(admin, "admin", "hold", "show", holdId, "--limit", "2")).Output, StringComparison.Ordinal);

        // the exact change set: counts, the whole-host blocks and protected-host entries, paged changes, the digest
        var page = (await _world.CliAsync(admin, "admin", "hold", "show", holdId, "--limit", "2", "--json")).Json();
        Assert.Equal(64, page.GetProperty("digest").GetString()!.Length);
        Assert.Equal(4, page.GetProperty("counts").GetProperty("changes").GetInt32());
        Assert.Equal(3, page.GetProperty("counts").GetProperty("byScope").GetProperty("host").GetInt32());
        Assert.Equal(3, page.GetProperty("hostScope").GetArrayLength());
        Assert.Equal("protected.test/abuse/1.jpg", Assert.Single(page.GetProperty("protectedHosts").EnumerateArray()).GetProperty("expression").GetString());
        Assert.Equal((2, 2), (page.GetProperty("changes").GetArrayLength(), page.GetProperty("nextOffset").GetInt32()));
        var every = (await _world.CliAsync(admin, "admin", "hold", "show", holdId, "--limit", "1", "--all", "--json")).Json();
        Assert.Equal(4, every.GetProperty("changes").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, every.GetProperty("nextOffset").ValueKind);
        var missing = await _world.CliAsync(admin, "admin", "hold", "show", "no-such-hold", "--json");
        Assert.Equal("not-found", missing.Json().GetProperty("error").GetProperty("code").GetString());

        var approved = await _world.CliAsync(admin, "admin", "hold", "approve", holdId, "--reason", "first import of hotline-admin, checked", "--json");
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.Equal(1, approved.Json().GetProperty("published").GetProperty("version").GetInt64());

        // the ISP syncs the approved version; the ISP table shows its key at that version, nothing behind
        var sync = await _world.CliAsync(isp, "sync", "--list", "eu", "--once", "--now", "--trusted-key", _world.PublicKeyPath, "--json");
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Equal(4, sync.Json().GetProperty("entries").GetInt32());
        await _world.CliAsync(isp, "sync", "--list", "eu", "--once", "--now", "--trusted-key", _world.PublicKeyPath, "--json");
        var isps = await _world.CliAsync(admin, "admin", "isps", "--json");
        Assert.True(isps.ExitCode == 0, isps.ToString());
        var row = Assert.Single(isps.Json().GetProperty("isps").EnumerateArray(), i => i.GetProperty("organisation").GetString() == "isp-admin");
        var list = Assert.Single(row.GetProperty("lists").EnumerateArray());
        Assert.Equal(1, list.GetProperty("currentVersion").GetInt64());
        Assert.Equal(1, list.GetProperty("reportedVersion").GetInt64());
        var ispsText = await _world.CliAsync(admin, "admin", "isps");
        Assert.Contains("isp-admin", ispsText.Output, StringComparison.Ordinal);

        var forbidden = await _world.CliAsync(hotline, "admin", "holds", "--json");
        Assert.Equal("forbidden", forbidden.Json().GetProperty("error").GetProperty("code").GetString());
    }
}
