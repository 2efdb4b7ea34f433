using System.Net;
using System.Text.Json;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// The whole chain with nothing stubbed: the real server on Kestrel at 127.0.0.1 over Azurite, signing with a PEM key
/// made by <c>blocklist dev-key</c>; a hotline submits with <c>blocklist submit</c>, an admin publishes, the hotline
/// sees the version with <c>blocklist status</c>, an ISP runs <c>blocklist sync --export rpz</c> against its pinned key,
/// the zone passes named-checkzone and a real unbound enforces it; a removal goes the same way back; an auditor's
/// <c>blocklist audit verify</c> replays the real log against the real manifests. Keys are issued and revoked with
/// <c>blocklist keys</c>.
/// </summary>
public sealed class ServiceEndToEndTests : IAsyncLifetime
{
    private const string Upstream = """
          module-config: "iterator"
          local-zone: "test." static
          local-data: "evil.test. 300 IN A 192.0.2.66"
          local-data: "www.evil.test. 300 IN A 192.0.2.67"
          local-data: "good.test. 300 IN A 192.0.2.1"
          local-data: "pics.test. 300 IN A 192.0.2.3"
        """;

    private EndToEndWorld _world = null!;

    public async Task InitializeAsync() => _world = await EndToEndWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [UnboundFact]
    public async Task Submitted_urls_are_published_synced_enforced_by_unbound_removed_again_and_the_log_verifies()
    {
        var hotline = await _world.IssueKeyAsync("--role", "hotline", "--organisation", "hotline-nl");
        var isp = await _world.IssueKeyAsync("--role", "isp", "--organisation", "isp-example", "--lists", "eu");
        var auditor = await _world.IssueKeyAsync("--role", "auditor", "--organisation", "regulator");

        // the service publishes the key sync is pinned to
        using (var anonymous = new HttpClient { BaseAddress = _world.Service.BaseUri })
        {
            var keySet = JsonDocument.Parse(await anonymous.GetStringAsync("api/v1/keys")).RootElement;
            Assert.Equal("blocklist-keys/1", keySet.GetProperty("format").GetString());
            Assert.Equal(_world.KeyId, keySet.GetProperty("keys")[0].GetProperty("keyId").GetString());
        }

        // a hotline submits host- and URL-scope items, each verified by two analysts
        var verifiedAt = EndToEndWorld.Timestamp(DateTimeOffset.UtcNow.AddHours(-2));
        var submitted = await _world.SubmitAsync(hotline, "reports.csv", $"""
            add,http://evil.test/,host,eu,csam,NL-2026-0001,{verifiedAt},analyst-1;analyst-2
            add,https://pics.test/gallery/1.jpg,exact,eu,csam,NL-2026-0002,{verifiedAt},analyst-1;analyst-3
            add,https://good.test/abuse/,path,eu,csam,NL-2026-0003,{verifiedAt},analyst-2;analyst-3
            """);
        Assert.Equal(3, submitted.Json().GetProperty("accepted").GetInt32());
        var submission = submitted.Json().GetProperty("submissions")[0].GetString()!;

        var pending = await _world.CliAsync(hotline, "status", submission, "--json");
        Assert.True(pending.ExitCode == 0, pending.ToString());
        Assert.All(pending.Json().GetProperty("items").EnumerateArray(), item => Assert.Equal("pending", item.GetProperty("state").GetString()));

        var first = await _world.PublishAsync();
        Assert.Equal(("published", 1), first["eu"]);
        Assert.Equal(("published", 1), first["uk"]); // no manifest yet: an empty version, so ISPs of uk have a signed one

        // status shows the published version for every item
        var status = await _world.CliAsync(hotline, "status", submission, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        var items = status.Json().GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items, item =>
        {
            Assert.Equal("published", item.GetProperty("state").GetString());
            var list = Assert.Single(item.GetProperty("lists").EnumerateArray());
            Assert.Equal("eu", list.GetProperty("list").GetString());
            Assert.Equal(1, list.GetProperty("version").GetInt64());
        });
        Assert.Contains(items, item => item.GetProperty("expression").GetString() == "evil.test/");
        var statusText = await _world.CliAsync(hotline, "status", submission);
        Assert.True(statusText.ExitCode == 0, statusText.ToString());
        Assert.Contains("pics.test/gallery/1.jpg", statusText.Output);
        Assert.Contains("eu v1", statusText.Output);

        // the ISP syncs against its pinned key and exports RPZ
        var zone = await SyncAsync(isp, expectedVersion: 1, expectedEntries: 3);
        var zoneText = await File.ReadAllTextAsync(zone);
        Assert.Contains("evil.test CNAME .", zoneText);
        Assert.Contains("*.evil.test CNAME .", zoneText);
        Assert.DoesNotContain("pics.test", zoneText);
        await CheckZoneAsync(zone, serial: 1);

        await using var upstream = await UnboundResolver.StartAsync(_world.Home.Path, "upstream", Upstream, string.Empty, "good.test");
        await using var resolver = await UnboundResolver.StartRpzAsync(_world.Home.Path, zone, upstream.Port, "good.test");
        Assert.Equal("NXDOMAIN", (await resolver.QueryAsync("evil.test")).Status);
        Assert.Equal("NXDOMAIN", (await resolver.QueryAsync("www.evil.test")).Status);
        Assert.Equal(["pics.test. A 192.0.2.3"], (await resolver.QueryAsync("pics.test")).Records);

        // the next poll finds nothing new and keeps the ETag; the one after it is answered 304
        var again = await _world.CliAsync(isp, "sync", "--list", "eu", "--once", "--now", "--export", "rpz", "--trusted-key", _world.PublicKeyPath, "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("up-to-date", again.Json().GetProperty("outcome").GetString());
        var unchanged = await _world.CliAsync(isp, "sync", "--list", "eu", "--once", "--now", "--export", "rpz", "--trusted-key", _world.PublicKeyPath, "--json");
        Assert.True(unchanged.ExitCode == 0, unchanged.ToString());
        Assert.Equal("not-modified", unchanged.Json().GetProperty("outcome").GetString());
        Assert.Equal(1, unchanged.Json().GetProperty("version").GetInt64());

        // the hotline withdraws the host; the next version delists it and the name resolves again
        var removes = _world.Home.File("withdrawals.csv");
        await File.WriteAllTextAsync(removes, """
            action,url,scope,lists
            remove,http://evil.test/,host,eu

            """);
        var withdrawn = await _world.CliAsync(hotline, "submit", removes, "--json");
        Assert.True(withdrawn.ExitCode == 0, withdrawn.ToString());
        Assert.Equal(1, withdrawn.Json().GetProperty("accepted").GetInt32());
        var second = await _world.PublishAsync();
        Assert.Equal(("published", 2), second["eu"]);
        Assert.Equal(("nothing-pending", 1), second["uk"]);

        // pinned by key id this time: sync takes the key from GET /api/v1/keys, checked against the id
        zone = await SyncAsync(isp, expectedVersion: 2, expectedEntries: 2, trustedKey: _world.KeyId);
        Assert.DoesNotContain("evil.test", await File.ReadAllTextAsync(zone));
        await CheckZoneAsync(zone, serial: 2);
        await resolver.RestartAsync("good.test");
        Assert.Equal(["evil.test. A 192.0.2.66"], (await resolver.QueryAsync("evil.test")).Records);
        Assert.Equal(["www.evil.test. A 192.0.2.67"], (await resolver.QueryAsync("www.evil.test")).Records);

        // the auditor replays the real log against the real manifests
        var audit = await _world.CliAsync(auditor, "audit", "verify", "--key", _world.PublicKeyPath, "--json");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        var report = audit.Json();
        Assert.True(report.GetProperty("ok").GetBoolean(), audit.ToString());
        Assert.Equal(9, report.GetProperty("treeSize").GetInt64()); // 4 changes; 3 key issues and 2 publishes, each a decision leaf
        Assert.Equal(5, report.GetProperty("decisions").GetInt32());
        Assert.Equal(2, report.GetProperty("lists").GetInt32());
        Assert.Equal(3, report.GetProperty("manifests").GetInt32()); // eu 1 and 2, uk's empty version 1
        Assert.Equal(1, report.GetProperty("checkpointsSeen").GetInt32());

        var auditText = await _world.CliAsync(auditor, "audit", "verify", "--key", _world.PublicKeyPath);
        Assert.True(auditText.ExitCode == 0, auditText.ToString());
        Assert.Contains("OK: 9 leaves, 2 lists, 3 manifests replayed", auditText.Output);
        Assert.Contains("5 decisions", auditText.Output);

        // a key without the auditor role is an error to fix, not a discrepancy in the log
        var refused = await _world.CliAsync(hotline, "audit", "verify", "--key", _world.PublicKeyPath, "--json");
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("forbidden", refused.Json().GetProperty("error").GetProperty("code").GetString());

        var history = await _world.CliAsync(auditor, "audit", "history", "http://evil.test/", "--scope", "host", "--json");
        Assert.True(history.ExitCode == 0, history.ToString());
        var leaves = history.Json().GetProperty("history").EnumerateArray()
            .Select(h => JsonDocument.Parse(h.GetProperty("leaf").GetString()!).RootElement).ToList();
        Assert.Equal(["add", "remove"], leaves.Select(l => l.GetProperty("kind").GetString()));
        Assert.Equal([1L, 2L], leaves.Select(l => l.GetProperty("version").GetInt64()));
        Assert.Equal("NL-2026-0001", leaves[0].GetProperty("reference").GetString());
        Assert.Equal(["analyst-1", "analyst-2"], leaves[0].GetProperty("verifiedBy").EnumerateArray().Select(a => a.GetString()));
        var historyText = await _world.CliAsync(auditor, "audit", "history", history.Json().GetProperty("entryId").GetString()!);
        Assert.True(historyText.ExitCode == 0, historyText.ToString());
        Assert.Contains("NL-2026-0001", historyText.Output);

        // without --scope, the URL finds the host entry (and any exact or path entry it names)
        var anyScope = await _world.CliAsync(auditor, "audit", "history", "http://evil.test/", "--json");
        Assert.True(anyScope.ExitCode == 0, anyScope.ToString());
        var found = Assert.Single(anyScope.Json().GetProperty("entries").EnumerateArray());
        Assert.Equal("host", found.GetProperty("scope").GetString());
        Assert.Equal(2, found.GetProperty("history").GetArrayLength());
        var pathScope = await _world.CliAsync(auditor, "audit", "history", "https://good.test/abuse/", "--json");
        Assert.Equal("path", Assert.Single(pathScope.Json().GetProperty("entries").EnumerateArray()).GetProperty("scope").GetString());

        // --key takes a key id as sync does
        var byId = await _world.CliAsync(auditor, "audit", "verify", "--key", _world.KeyId, "--json");
        Assert.True(byId.ExitCode == 0 && byId.Json().GetProperty("ok").GetBoolean(), byId.ToString());

        // the export verb writes the range's leaves, for the auditor only
        var exported = _world.Home.File("audit.csv");
        var export = await _world.CliAsync(auditor, "audit", "export", "--from", "2000-01-01", "--output", exported, "--json");
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal(9, export.Json().GetProperty("records").GetInt64());
        var exportLines = await File.ReadAllLinesAsync(exported);
        Assert.Equal(10, exportLines.Length); // header and 9 leaves
        Assert.Contains(exportLines, l => l.Contains("NL-2026-0001", StringComparison.Ordinal));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(exported));
        var jsonl = await _world.CliAsync(auditor, "audit", "export", "--format", "jsonl");
        Assert.True(jsonl.ExitCode == 0, jsonl.ToString());
        Assert.Equal(9, jsonl.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task An_isp_pins_the_signing_key_with_keys_pin_and_sync_then_needs_no_key_on_its_command_line()
    {
        var isp = await _world.IssueKeyAsync("--role", "isp", "--organisation", "isp-pin", "--lists", "eu");
        var config = _world.Home.File("isp-config.json");
        await File.WriteAllTextAsync(config, "{ \"list\": \"eu\" }");
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var unconfirmed = await _world.CliAsync(null, "keys", "pin", "--config", config, "--json");
        Assert.Equal(2, unconfirmed.ExitCode);
        Assert.Equal("confirm-pin", unconfirmed.Json().GetProperty("error").GetProperty("code").GetString());

        var pin = await _world.CliAsync(null, "keys", "pin", "--yes", "--config", config, "--json");
        Assert.True(pin.ExitCode == 0, pin.ToString());
        Assert.Equal(_world.KeyId, pin.Json().GetProperty("pinned").GetString());
        Assert.Equal(_world.KeyId, Assert.Single(pin.Json().GetProperty("keys").EnumerateArray()).GetProperty("keyId").GetString());
        var written = JsonDocument.Parse(await File.ReadAllTextAsync(config)).RootElement;
        Assert.Equal("eu", written.GetProperty("list").GetString());
        Assert.Equal([_world.KeyId], written.GetProperty("trustedKeys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(config)); // kept
        var fresh = _world.Home.File("new-config.json");
        var created = await _world.CliAsync(null, "keys", "pin", "--yes", "--config", fresh, "--json");
        Assert.Equal(2, created.ExitCode); // --config names a file that must exist
        var byVariable = await CliRun.RunAsync(_world.Home.Path, new Dictionary<string, string> { ["BLOCKLIST_API_URL"] = _world.Service.BaseUri.ToString(), ["XDG_CONFIG_HOME"] = _world.Home.File("xdg") }, "keys", "pin", "--yes", "--json");
        Assert.True(byVariable.ExitCode == 0, byVariable.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_world.Home.File("xdg/blocklist/config.json")));

        var again = await _world.CliAsync(null, "keys", "pin", "--config", config, "--json");
        Assert.True(again.ExitCode == 0 && again.Json().GetProperty("alreadyPinned").GetBoolean(), again.ToString());

        await _world.PublishAsync();
        var sync = await _world.CliAsync(isp, "sync", "--once", "--now", "--config", config, "--json");
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Equal("updated", sync.Json().GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Keys_are_issued_listed_and_revoked_and_a_revoked_key_is_refused_at_once()
    {
        var created = await _world.CliAsync(_world.AdminKey, "keys", "create", "--role", "isp", "--organisation", "isp-example", "--lists", "eu,uk", "--reason", "new ISP contract", "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var secret = created.Json().GetProperty("key").GetString()!;
        var keyId = created.Json().GetProperty("info").GetProperty("keyId").GetString()!;
        Assert.Equal(["eu", "uk"], created.Json().GetProperty("info").GetProperty("lists").EnumerateArray().Select(l => l.GetString()));

        using var isp = _world.Service.Client(secret);
        using (var poll = await isp.GetAsync("api/v1/lists/eu/updates?since=0"))
        {
            Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        }

        var listed = await _world.CliAsync(_world.AdminKey, "keys", "list", "--json");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var row = listed.Json().GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("keyId").GetString() == keyId);
        Assert.Equal("isp", row.GetProperty("role").GetString());
        Assert.Equal("isp-example", row.GetProperty("organisation").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("revoked").ValueKind);
        Assert.DoesNotContain(secret, listed.Output);
        var table = await _world.CliAsync(_world.AdminKey, "keys", "list");
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(keyId, table.Output);
        Assert.Contains("eu,uk", table.Output);

        var revoked = await _world.CliAsync(_world.AdminKey, "keys", "revoke", keyId, "--reason", "contract ended", "--json");
        Assert.True(revoked.ExitCode == 0, revoked.ToString());

        using (var poll = await isp.GetAsync("api/v1/lists/eu/updates?since=0"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, poll.StatusCode);
        }

        var sync = await _world.CliAsync(secret, "sync", "--list", "eu", "--once", "--now", "--trusted-key", _world.PublicKeyPath, "--json");
        Assert.Equal(1, sync.ExitCode);
        Assert.Equal("unauthorized", sync.Json().GetProperty("error").GetProperty("code").GetString());

        var after = await _world.CliAsync(_world.AdminKey, "keys", "list", "--json");
        var revokedRow = after.Json().GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("keyId").GetString() == keyId);
        Assert.Equal(JsonValueKind.String, revokedRow.GetProperty("revoked").ValueKind);

        var unknown = await _world.CliAsync(_world.AdminKey, "keys", "revoke", "0123456789abcdef", "--reason", "no such key", "--json");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("not-found", unknown.Json().GetProperty("error").GetProperty("code").GetString());

        var hotline = await _world.IssueKeyAsync("--role", "hotline", "--organisation", "hotline-nl");
        var forbidden = await _world.CliAsync(hotline, "keys", "list", "--json");
        Assert.Equal(1, forbidden.ExitCode);
        Assert.Equal("forbidden", forbidden.Json().GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Items_the_service_rejects_come_back_with_their_input_line_and_reason_and_status_follows_the_file_across_its_batches()
    {
        var hotline = await _world.IssueKeyAsync("--role", "hotline", "--organisation", "hotline-be");
        var verifiedAt = EndToEndWorld.Timestamp(DateTimeOffset.UtcNow.AddHours(-1));
        var input = _world.Home.File("mixed.csv");
        await File.WriteAllTextAsync(input, $"""
            action,url,scope,lists,category,reference,verifiedAt,verifiedBy
            add,http://fine.test/a.jpg,exact,eu,csam,BE-1,{verifiedAt},analyst-1;analyst-2
            add,http://alone.test/,host,eu,csam,BE-2,{verifiedAt},analyst-1
            add,http://nowhere.test/,host,xx,csam,BE-3,{verifiedAt},analyst-1;analyst-2
            add,http://fine.test/a.jpg#frag,exact,eu,csam,BE-4,{verifiedAt},analyst-1;analyst-2
            add,http://late.test/,host,eu,csam,BE-5,21/11/2026,analyst-1;analyst-2
            add,http://other.test/b,exact,eu,csam,BE-6,{verifiedAt},analyst-1;analyst-2

            """);

        var run = await _world.CliAsync(hotline, "submit", input, "--batch-size", "2", "--json");

        Assert.Equal(1, run.ExitCode);
        var result = run.Json();
        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(4, result.GetProperty("rejected").GetInt32());
        Assert.Equal(3, result.GetProperty("submissions").GetArrayLength());
        var rejections = result.GetProperty("rejections").EnumerateArray()
            .Select(r => (r.GetProperty("line").GetInt64(), r.GetProperty("code").GetString())).ToList();
        Assert.Equal([(3L, "two-person-rule"), (4L, "unknown-list"), (5L, "duplicate-in-file"), (6L, "invalid-verified-at")], rejections);
        Assert.StartsWith("items[0].verifiedAt: malformed: ", result.GetProperty("rejections")[3].GetProperty("message").GetString(), StringComparison.Ordinal);
        var rejects = await File.ReadAllLinesAsync(result.GetProperty("rejectsFile").GetString()!);
        Assert.Equal("rejected_line,rejected_code,rejected_message,action,url,scope,lists,category,reference,verifiedAt,verifiedBy", rejects[0]);
        Assert.StartsWith("3,two-person-rule,", rejects[1]);
        Assert.EndsWith($",add,http://alone.test/,host,eu,csam,BE-2,{verifiedAt},analyst-1", rejects[1]);

        // status of the file: every line, across its three submissions, with the hotline's references
        var status = await _world.CliAsync(hotline, "status", input, "--json");
        Assert.True(status.ExitCode == 0, status.ToString());
        var items = status.Json().GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([2L, 3L, 4L, 5L, 6L, 7L], items.Select(i => i.GetProperty("line").GetInt64()));
        Assert.Equal(["pending", "rejected", "rejected", "rejected", "rejected", "pending"], items.Select(i => i.GetProperty("state").GetString()));
        Assert.Equal("BE-1", items[0].GetProperty("reference").GetString());
        Assert.Equal("BE-6", items[5].GetProperty("reference").GetString());
        Assert.Equal("duplicate-in-file", items[3].GetProperty("reason").GetString());
        Assert.Equal(3, status.Json().GetProperty("submissions").GetArrayLength());
        Assert.Equal(2, status.Json().GetProperty("counts").GetProperty("pending").GetInt32());

        // status of one submission names the lines too, when this machine sent it
        var one = await _world.CliAsync(hotline, "status", result.GetProperty("submissions")[2].GetString()!, "--json");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal([6L, 7L], one.Json().GetProperty("items").EnumerateArray().Select(i => i.GetProperty("line").GetInt64()));
        var text = await _world.CliAsync(hotline, "status", input);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("BE-6", text.Output, StringComparison.Ordinal);
        Assert.Contains("6 items in 3 submissions", text.Output, StringComparison.Ordinal);

        var neverSent = _world.Home.File("never-sent.csv");
        await File.WriteAllTextAsync(neverSent, "url\n");
        var unknown = await _world.CliAsync(hotline, "status", neverSent, "--json");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("no-upload-record", unknown.Json().GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Admin_revert_publishes_the_earlier_state_which_sync_applies_and_audit_verify_replays()
    {
        var hotline = await _world.IssueKeyAsync("--role", "hotline", "--organisation", "hotline-nl");
        var isp = await _world.IssueKeyAsync("--role", "isp", "--organisation", "isp-example", "--lists", "eu");
        var auditor = await _world.IssueKeyAsync("--role", "auditor", "--organisation", "regulator");
        var verifiedAt = EndToEndWorld.Timestamp(DateTimeOffset.UtcNow.AddHours(-2));
        Task SubmitAsync(string name, string rows) => _world.SubmitAsync(hotline, name, rows);

        await SubmitAsync("good.csv", $"add,http://evil.test/,host,eu,csam,NL-1,{verifiedAt},analyst-1;analyst-2\nadd,https://pics.test/1.jpg,exact,eu,csam,NL-2,{verifiedAt},analyst-1;analyst-3\n");
        Assert.Equal(("published", 1L), (await _world.PublishAsync())["eu"]);
        await SyncAsync(isp, 1, 2);
        await SubmitAsync("wrong.csv", $"remove,https://pics.test/1.jpg,exact,eu,,NL-3,,\nadd,http://good.test/,host,eu,csam,NL-4,{verifiedAt},analyst-1;analyst-2\n");
        Assert.Equal(("published", 2L), (await _world.PublishAsync())["eu"]);
        await SyncAsync(isp, 2, 2);

        var missing = await _world.CliAsync(_world.AdminKey, "admin", "revert", "eu", "--to-version", "1", "--json");
        Assert.NotEqual(0, missing.ExitCode);
        var reverted = await _world.CliAsync(_world.AdminKey, "admin", "revert", "eu", "--to-version", "1", "--reason", "version 2 came from the wrong file", "--json");
        Assert.True(reverted.ExitCode == 0, reverted.ToString());
        Assert.Equal((3L, 1, 1), (reverted.Json().GetProperty("version").GetInt64(), reverted.Json().GetProperty("listed").GetInt32(), reverted.Json().GetProperty("unlisted").GetInt32()));

        var zone = await File.ReadAllTextAsync(await SyncAsync(isp, 3, 2));
        Assert.Contains("evil.test", zone);
        Assert.DoesNotContain("good.test", zone);
        var verify = await _world.CliAsync(auditor, "audit", "verify", "--key", _world.PublicKeyPath, "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.True(verify.Json().GetProperty("decisions").GetInt32() >= 3);
    }

    /// <summary><c>blocklist sync --once --export rpz</c> with the ISP key; returns the zone file it wrote.</summary>
    private async Task<string> SyncAsync(string ispKey, long expectedVersion, int expectedEntries, string? trustedKey = null)
    {
        var run = await _world.CliAsync(ispKey, "sync", "--list", "eu", "--once", "--now", "--export", "rpz", "--trusted-key", trustedKey ?? _world.PublicKeyPath, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var report = run.Json();
        Assert.Equal("updated", report.GetProperty("outcome").GetString());
        Assert.Equal(expectedVersion, report.GetProperty("version").GetInt64());
        Assert.Equal(expectedEntries, report.GetProperty("entries").GetInt32());
        var export = Assert.Single(report.GetProperty("exports").EnumerateArray());
        return Assert.Single(export.GetProperty("files").EnumerateArray()).GetProperty("path").GetString()!;
    }

    private static async Task CheckZoneAsync(string zone, long serial)
    {
        var check = await ProcessRunner.RunAsync("named-checkzone", ["rpz.blocklist.", zone]);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains($"loaded serial {serial}", check.StandardOutput);
    }
}
