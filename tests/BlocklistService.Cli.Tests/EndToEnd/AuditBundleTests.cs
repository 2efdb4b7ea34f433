using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// <c>blocklist audit bundle</c> against the real server on Kestrel over Azurite, then <c>blocklist audit verify-bundle</c>
/// and the bundle's own <c>verify.py</c> (python3, openssl) offline: both accept the bundle as written and name the
/// place when one leaf, one proof hash or the checkpoint is altered.
/// </summary>
public sealed class AuditBundleTests : IAsyncLifetime
{
    private EndToEndWorld _world = null!;

    public async Task InitializeAsync() => _world = await EndToEndWorld.StartAsync();

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_bundle_of_a_range_verifies_offline_and_names_the_altered_leaf_proof_hash_or_checkpoint()
    {
        var hotline = await _world.IssueKeyAsync("--role", "hotline", "--organisation", "hotline-nl");
        var auditor = await _world.IssueKeyAsync("--role", "auditor", "--organisation", "regulator");
        await SubmitAndPublishAsync(hotline, "a", "b", "c");
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // publication times have second precision: the range starts after version 1
        var from = DateTimeOffset.UtcNow;
        await SubmitAndPublishAsync(hotline, "d", "e");
        await SubmitAndPublishAsync(hotline, "f", "g", "h", "i");
        var bundle = _world.Home.File("bundle.zip");

        var written = await _world.CliAsync(auditor, "audit", "bundle", "--from", EndToEndWorld.Timestamp(from), "--to", EndToEndWorld.Timestamp(DateTimeOffset.UtcNow.AddHours(1)), bundle, "--json");
        var verified = await _world.CliAsync(null, "audit", "verify-bundle", bundle, "--key", _world.PublicKeyPath, "--json");
        var script = await PythonAsync(bundle);

        Assert.True(written.ExitCode == 0, written.ToString());
        // leaves 0-5: two key issues, a publish decision and a, b, c; the range holds the next two publish decisions and d to i
        Assert.Equal(6, written.Json().GetProperty("start").GetInt64());
        Assert.Equal(14, written.Json().GetProperty("end").GetInt64());
        Assert.True(written.Json().GetProperty("hasConsistencyProof").GetBoolean());
        Assert.True(verified.ExitCode == 0, verified.ToString());
        Assert.Equal(8, verified.Json().GetProperty("inclusionProofs").GetInt32());
        Assert.True(verified.Json().GetProperty("consistencyProof").GetBoolean());
        Assert.True(script.ExitCode == 0, script.StandardOutput + script.StandardError);
        Assert.Contains("signatures checked with openssl", script.StandardOutput);

        // the key pinned by its id (SHA-256 of the key's DER), as sync and audit verify accept it: found in the bundle's key sets
        using var publicKey = ECDsa.Create();
        publicKey.ImportFromPem(await File.ReadAllTextAsync(_world.PublicKeyPath));
        var keyId = Convert.ToHexStringLower(SHA256.HashData(publicKey.ExportSubjectPublicKeyInfo()));
        var byId = await _world.CliAsync(null, "audit", "verify-bundle", bundle, "--key", keyId.ToUpperInvariant(), "--json");
        Assert.True(byId.ExitCode == 0, byId.ToString());
        Assert.Equal([keyId], byId.Json().GetProperty("trustedKeyIds").EnumerateArray().Select(k => k.GetString()));
        var unknown = await _world.CliAsync(null, "audit", "verify-bundle", bundle, "--key", new string('0', 64), "--json");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("keys/", unknown.Json().GetProperty("place").GetString());
        Assert.Contains("no key set in the bundle holds the pinned key", unknown.Json().GetProperty("problem").GetString());

        // one leaf altered (its reference), the proofs left as they were
        var leaf = Altered(bundle, "leaf.zip", "leaves.jsonl", text => ReplaceNth(text, "\"reference\":\"REF-", "\"reference\":\"FAKE", 2));
        await AssertFailsAtAsync(leaf, "leaves.jsonl line 3 (leaf 8)");

        // one hash of one inclusion proof altered
        var proof = Altered(bundle, "proof.zip", "proofs/inclusion.jsonl", text =>
        {
            var at = text.IndexOf("\"auditPath\":[\"", StringComparison.Ordinal) + "\"auditPath\":[\"".Length;
            return text[..at] + (text[at] == '0' ? '1' : '0') + text[(at + 1)..];
        });
        await AssertFailsAtAsync(proof, "proofs/inclusion.jsonl line 1 (leaf 6)");

        // the checkpoint's root altered: its signature no longer verifies
        var checkpoint = Altered(bundle, "checkpoint.zip", "checkpoint.json", text =>
        {
            var at = text.IndexOf("\"rootHash\":\"", StringComparison.Ordinal) + "\"rootHash\":\"".Length;
            return text[..at] + (text[at] == 'a' ? 'b' : 'a') + text[(at + 1)..];
        });
        await AssertFailsAtAsync(checkpoint, "checkpoint.json");
    }

    [Fact]
    public async Task A_bundle_of_a_range_with_no_leaves_is_refused_and_nothing_is_written()
    {
        var hotline = await _world.IssueKeyAsync("--role", "hotline", "--organisation", "hotline-nl");
        var auditor = await _world.IssueKeyAsync("--role", "auditor", "--organisation", "regulator");
        await SubmitAndPublishAsync(hotline, "z");
        var bundle = _world.Home.File("empty.zip");

        var run = await _world.CliAsync(auditor, "audit", "bundle", "--from", "2001-01-01", "--to", "2001-02-01", bundle, "--json");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("empty-range", run.Output + run.Error);
        Assert.False(File.Exists(bundle));
    }

    private async Task AssertFailsAtAsync(string bundle, string place)
    {
        var cli = await _world.CliAsync(null, "audit", "verify-bundle", bundle, "--key", _world.PublicKeyPath, "--json");
        var script = await PythonAsync(bundle);

        Assert.Equal(1, cli.ExitCode);
        Assert.False(cli.Json().GetProperty("ok").GetBoolean());
        Assert.Equal(place, cli.Json().GetProperty("place").GetString());
        Assert.Equal(1, script.ExitCode);
        Assert.StartsWith($"FAILED: {place}", script.StandardOutput);
    }

    /// <summary>Runs the bundle's own verify.py, extracted, with python3 (openssl on PATH checks the signatures).</summary>
    private async Task<ProcessResult> PythonAsync(string bundle)
    {
        var folder = Path.Combine(_world.Home.Path, "extracted-" + Path.GetFileNameWithoutExtension(bundle));
        Directory.CreateDirectory(folder);
        await using (var zip = await ZipFile.OpenReadAsync(bundle))
        {
            await zip.GetEntry("verify.py")!.ExtractToFileAsync(Path.Combine(folder, "verify.py"), overwrite: true);
        }

        return await ProcessRunner.RunAsync("python3", [Path.Combine(folder, "verify.py"), bundle], timeout: TimeSpan.FromSeconds(60));
    }

    private string Altered(string bundle, string name, string entry, Func<string, string> change)
    {
        var copy = _world.Home.File(name);
        File.Copy(bundle, copy, overwrite: true);
        using var zip = ZipFile.Open(copy, ZipArchiveMode.Update);
        var original = zip.GetEntry(entry)!;
        string text;
        using (var reader = new StreamReader(original.Open(), Encoding.UTF8))
        {
            text = reader.ReadToEnd();
        }

        var altered = change(text);
        Assert.NotEqual(text, altered);
        original.Delete();
        using var writer = zip.CreateEntry(entry).Open();
        writer.Write(Encoding.UTF8.GetBytes(altered));
        return copy;
    }

    private static string ReplaceNth(string text, string what, string with, int nth)
    {
        var at = -1;
        for (var i = 0; i < nth; i++)
        {
            at = text.IndexOf(what, at + 1, StringComparison.Ordinal);
        }

        return text[..at] + with + text[(at + what.Length)..];
    }

    private async Task SubmitAndPublishAsync(string hotline, params string[] names)
    {
        var verifiedAt = EndToEndWorld.Timestamp(DateTimeOffset.UtcNow.AddHours(-2));
        var rows = names.Select(n => $"add,https://{n}.bundle.test/page,exact,eu,csam,REF-{n},{verifiedAt},analyst-1;analyst-2");
        await _world.SubmitAsync(hotline, $"submit-{names[0]}.csv", string.Join('\n', rows));
        await _world.PublishAsync();
    }
}
