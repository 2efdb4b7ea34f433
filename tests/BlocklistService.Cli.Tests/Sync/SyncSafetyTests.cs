using BlocklistService.Cli.State;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Cli.Tests.Sync;

/// <summary>
/// <c>blocklist sync</c> against a real HTTP server serving signed artifacts: the happy paths, and every way the
/// acceptance rules refuse an update — each refusal must name the rule and leave the last good state and exports
/// byte for byte as they were.
/// </summary>
public sealed class SyncSafetyTests : FeedHome
{
    private string StateFile => Path.Combine(StateDir, "eu", "state.bin");

    private string RpzFile => Path.Combine(StateDir, "eu", "exports", "blocklist.rpz");

    [Fact]
    public async Task From_empty_takes_the_snapshot_then_follows_deltas_and_exports_rpz()
    {
        Feed.Publish([TestFeed.Host("one.example"), TestFeed.Host("two.example")], snapshot: true);
        Feed.Publish([TestFeed.Host("three.example")]);

        var first = await SyncAsync();
        Assert.Equal(0, first.ExitCode);
        var json = first.Json();
        Assert.Equal("updated", json.GetProperty("outcome").GetString());
        Assert.Equal(2, json.GetProperty("version").GetInt64());
        Assert.Equal(["v/1/snapshot.json.gz", "v/2/delta.json.gz"], json.GetProperty("steps").EnumerateArray().Select(s => s.GetString()!).ToArray());
        var zone = await File.ReadAllTextAsync(RpzFile);
        Assert.Contains("three.example CNAME .", zone);
        Assert.Contains("one.example CNAME .", zone);

        Feed.Publish([TestFeed.Host("four.example")], removes: [TestFeed.Host("one.example").Id]);
        Feed.Publish([TestFeed.Host("five.example")]);
        var second = await SyncAsync();
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["v/3/delta.json.gz", "v/4/delta.json.gz"], second.Json().GetProperty("steps").EnumerateArray().Select(s => s.GetString()!).ToArray());
        zone = await File.ReadAllTextAsync(RpzFile);
        Assert.DoesNotContain("one.example", zone);
        Assert.Contains("five.example CNAME .", zone);
        var state = await new LocalStateStore(StateDir).ReadAsync(Feed.List, CancellationToken.None);
        Assert.Equal(4, state.Version);
        Assert.Equal(4, state.Entries.Count());
        Assert.Equal(Feed.Files[ArtifactPaths.CurrentManifest(Feed.List)], await File.ReadAllBytesAsync(Path.Combine(StateDir, "eu", "manifest.json")));
    }

    [Fact]
    public async Task A_second_poll_with_nothing_new_is_answered_304_and_changes_nothing()
    {
        Feed.Publish([TestFeed.Host("one.example")], snapshot: true);
        Assert.Equal(0, (await SyncAsync()).ExitCode);
        var up = await SyncAsync();
        Assert.Equal("up-to-date", up.Json().GetProperty("outcome").GetString());
        var before = await File.ReadAllBytesAsync(StateFile);

        var again = await SyncAsync();
        Assert.Equal(0, again.ExitCode);
        Assert.Equal("not-modified", again.Json().GetProperty("outcome").GetString());
        Assert.Equal(1, Server.NotModifiedCount);
        Assert.Equal(before, await File.ReadAllBytesAsync(StateFile));
    }

    [Fact]
    public async Task Retry_after_is_waited_out_then_the_update_applies()
    {
        Feed.Publish([TestFeed.Host("one.example")], snapshot: true);
        var refusals = 0;
        Server.Intercept = async context =>
        {
            if (context.Request.Path.Value!.EndsWith("/updates", StringComparison.Ordinal) && refusals++ == 0)
            {
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsync("busy");
                return true;
            }

            return false;
        };

        var started = DateTime.UtcNow;
        var run = await SyncAsync();
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1), "sync did not wait for Retry-After");
        Assert.Equal(2, refusals);
        Assert.Equal(1, Server.UpdatesCount);
        Assert.Equal(1, run.Json().GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_tampered_delta_is_refused()
    {
        await StartAtVersionOneAsync();
        Feed.Publish([TestFeed.Host("two.example")]);
        var delta = Feed["v/2/delta.json.gz"];
        delta[delta.Length / 2] ^= 0x01;

        await AssertRefusedAsync("refused-hash", "SHA-256 of v/2/delta.json.gz");
    }

    [Fact]
    public async Task A_manifest_signed_by_an_unpinned_key_is_refused()
    {
        await StartAtVersionOneAsync();
        using var other = PemArtifactSigner.Generate();
        Feed.Publish([TestFeed.Host("two.example")], signer: other);

        await AssertRefusedAsync("refused-signature", "manifest signature invalid or key not pinned");
    }

    [Fact]
    public async Task An_older_version_is_refused_as_a_rollback()
    {
        Feed.Publish([TestFeed.Host("one.example")], snapshot: true);
        Feed.Publish([TestFeed.Host("two.example")]);
        var oldManifest = Feed["v/1/manifest.json"];
        var oldSignature = Feed["v/1/manifest.json.sig"];
        Assert.Equal(0, (await SyncAsync()).ExitCode);
        var state = await File.ReadAllBytesAsync(StateFile);
        var zone = await File.ReadAllBytesAsync(RpzFile);

        Feed.Publish([TestFeed.Host("three.example")]);
        Feed["manifest.json"] = oldManifest;
        Feed["manifest.json.sig"] = oldSignature;

        await AssertRefusedAsync("refused-rollback", "lower than version 2", state, zone);
    }

    [Fact]
    public async Task An_expired_manifest_is_refused_as_a_frozen_feed()
    {
        await StartAtVersionOneAsync();
        Feed.Publish([TestFeed.Host("two.example")], created: DateTimeOffset.UtcNow.AddDays(-8));

        await AssertRefusedAsync("refused-expired", "expired at");
    }

    [Fact]
    public async Task A_wrong_state_hash_is_refused()
    {
        await StartAtVersionOneAsync();
        Feed.Publish([TestFeed.Host("two.example")], alter: m => m with { StateHash = LtHash16.EmptyStateHash });

        await AssertRefusedAsync("refused-state-hash", "the state hash is");
    }

    [Fact]
    public async Task A_download_that_breaks_off_is_refused()
    {
        await StartAtVersionOneAsync();
        Feed.Publish(Enumerable.Range(0, 2000).Select(i => TestFeed.Host($"host{i}.example")));
        var delta = Feed["v/2/delta.json.gz"];
        Server.Intercept = async context =>
        {
            if (context.Request.Path.Value!.EndsWith("v/2/delta.json.gz", StringComparison.Ordinal))
            {
                context.Response.ContentLength = delta.Length;
                await context.Response.Body.WriteAsync(delta.AsMemory(0, delta.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return true;
            }

            return false;
        };

        await AssertRefusedAsync("refused-download", "broke off");
    }

    [Fact]
    public async Task A_truncated_stored_file_is_refused()
    {
        await StartAtVersionOneAsync();
        Feed.Publish([TestFeed.Host("two.example")]);
        Feed["v/2/delta.json.gz"] = Feed["v/2/delta.json.gz"][..^8];

        await AssertRefusedAsync("refused-hash", "truncated or altered");
    }

    [Fact]
    public async Task Sync_without_a_pinned_key_refuses_and_explains_how_to_get_one()
    {
        Feed.Publish([TestFeed.Host("one.example")], snapshot: true);
        var run = await CliRun.RunAsync(Home.Path, null, "sync", "--once", "--list", "eu", "--api-url", Server.BaseUri.ToString(), "--state-dir", StateDir);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("pinned signing key", run.Error);
        Assert.Contains("GET /api/v1/keys", run.Error);
        Assert.False(File.Exists(StateFile));
    }

    [Fact]
    public async Task A_key_pinned_by_id_is_fetched_from_the_service_and_checked()
    {
        Feed.Publish([TestFeed.Host("one.example")], snapshot: true);
        var keySet = KeySet.Genesis(Feed.Signer.PublicKeySpki.Span, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow).ToJson();
        Server.Intercept = async context =>
        {
            if (context.Request.Path == "/api/v1/keys")
            {
                await context.Response.Body.WriteAsync(keySet);
                return true;
            }

            return false;
        };

        var run = await CliRun.RunAsync(Home.Path, new Dictionary<string, string> { ["BLOCKLIST_TRUSTED_KEYS"] = Feed.Signer.KeyId }, "sync", "--once", "--list", "eu", "--api-url", Server.BaseUri.ToString(), "--state-dir", StateDir, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());

        var wrong = await CliRun.RunAsync(Home.Path, new Dictionary<string, string> { ["BLOCKLIST_TRUSTED_KEYS"] = new string('b', 64) }, "sync", "--once", "--now", "--list", "eu", "--api-url", Server.BaseUri.ToString(), "--state-dir", StateDir, "--json");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Equal("trusted-key-unknown", wrong.Json().GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_on_change_command_runs_after_an_update_with_the_version_in_its_environment()
    {
        Feed.Publish([TestFeed.Host("one.example")], snapshot: true);
        var marker = Home.File("changed.txt");
        var run = await SyncAsync("--on-change", $"echo \"$BLOCKLIST_LIST $BLOCKLIST_PREVIOUS_VERSION $BLOCKLIST_VERSION\" > '{marker}'");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("eu 0 1", (await File.ReadAllTextAsync(marker)).Trim());
    }

    private async Task StartAtVersionOneAsync()
    {
        Feed.Publish([TestFeed.Host("one.example")], snapshot: true);
        var run = await SyncAsync();
        Assert.True(run.ExitCode == 0, run.ToString());
    }

    private async Task AssertRefusedAsync(string code, string message, byte[]? state = null, byte[]? zone = null)
    {
        state ??= await File.ReadAllBytesAsync(StateFile);
        zone ??= await File.ReadAllBytesAsync(RpzFile);
        var manifest = await File.ReadAllBytesAsync(Path.Combine(StateDir, "eu", "manifest.json"));

        var run = await SyncAsync();

        Assert.True(run.ExitCode == 1, run.ToString());
        var error = run.Json().GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
        Assert.Contains("last good state", error.GetProperty("hint").GetString());
        Assert.Equal(state, await File.ReadAllBytesAsync(StateFile));
        Assert.Equal(zone, await File.ReadAllBytesAsync(RpzFile));
        Assert.Equal(manifest, await File.ReadAllBytesAsync(Path.Combine(StateDir, "eu", "manifest.json")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(StateDir, "eu"), "*.tmp", SearchOption.AllDirectories));
    }

    private Task<CliRun> SyncAsync(params string[] extra) =>
        CliRun.RunAsync(
            Home.Path,
            null,
            ["sync", "--once", "--now", "--list", "eu", "--api-url", Server.BaseUri.ToString(), "--state-dir", StateDir, "--trusted-key", Home.File("service.pem"), "--export", "rpz", "--json", .. extra]);
}
