using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistService.Cli;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Signing;

/// <summary>
/// Key rotation end to end over HTTP: the real server signs with key 1 and an ISP client (the CLI's sync) pinned to
/// key 1 syncs; the operator adds key 2 active from T; after T the publisher signs with key 2 and the client follows
/// the signed key set chain and keeps syncing; a forged key set (signed by a key the client does not trust) is refused
/// and the client's state and trust stay as they were.
/// </summary>
public sealed class KeyRotationApiTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IDisposable
{
    private static readonly ListName Eu = ListName.Parse("eu");

    private readonly string _prefix = Azurite.UniqueName("r")[..13];
    private readonly string _directory = Directory.CreateTempSubdirectory("rotation-").FullName;
    private readonly ManualTime _time = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly PemArtifactSigner _key1 = PemArtifactSigner.Generate();
    private readonly PemArtifactSigner _key2 = PemArtifactSigner.Generate();
    private readonly PemArtifactSigner _attacker = PemArtifactSigner.Generate();

    private string StateDir => Path.Combine(_directory, "state");

    private string TrustFile => Path.Combine(StateDir, KeyRotationFollower.FileName);

    public void Dispose()
    {
        _key1.Dispose();
        _key2.Dispose();
        _attacker.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_client_pinned_to_key_1_follows_the_rotation_to_key_2_and_refuses_a_forged_key_set()
    {
        var switchAt = _time.GetUtcNow().AddHours(1);
        string ispKey;

        // Key 1 alone: the genesis key set; version 1 is signed by key 1 and the pinned client takes it.
        await using (var api = Start(Key(0, _key1)))
        {
            var genesis = await KeySetAsync(api.CreateClient(), null);
            Assert.Equal(1, genesis.Set.Sequence);
            Assert.Equal(_key1.KeyId, genesis.Set.SignedBy);
            Assert.Equal([_key1.KeyId], genesis.Set.Keys.Select(k => k.KeyId));

            ispKey = (await api.ClientForAsync(Roles.Isp, "rotation-isp", "eu")).Key.Value;
            Assert.Equal(_key1.KeyId, await PublishAsync(api, "http://one.example/a", 1));
            var first = await SyncAsync(api, ispKey);
            Assert.Equal(("updated", 1L), (first.Outcome, first.Version));
            Assert.False(File.Exists(TrustFile));
        }

        // The operator adds key 2, active from T: the service publishes key set 2, endorsed by key 1, and keeps signing with key 1 until T.
        var rotated = Key(0, _key1).Concat(Key(1, _key2, switchAt)).ToDictionary();
        await using (var api = Start(rotated))
        {
            var anonymous = api.CreateClient();
            var current = await KeySetAsync(anonymous, null);
            Assert.Equal(2, current.Set.Sequence);
            Assert.Equal(_key1.KeyId, current.Set.SignedBy);
            Assert.Equal([_key1.KeyId, _key2.KeyId], current.Set.Keys.Select(k => k.KeyId));
            Assert.Equal(switchAt, current.Set.Keys[1].ActiveFrom);
            Assert.Equal(1, (await KeySetAsync(anonymous, 1)).Set.Sequence);
            Assert.Equal((await KeySetAsync(anonymous, 2)).Document, current.Document);

            Assert.Equal(_key1.KeyId, await PublishAsync(api, "http://two.example/b", 2));
            Assert.Equal(("updated", 2L), Outcome(await SyncAsync(api, ispKey)));
            Assert.False(File.Exists(TrustFile));

            // After T the publisher signs with key 2; the client follows the chain from key 1 and keeps syncing.
            _time.Advance(TimeSpan.FromHours(2));
            Assert.Equal(_key2.KeyId, await PublishAsync(api, "http://three.example/c", 3));
            Assert.Equal(("updated", 3L), Outcome(await SyncAsync(api, ispKey)));
            using (var trust = JsonDocument.Parse(await File.ReadAllBytesAsync(TrustFile)))
            {
                Assert.Equal(2, trust.RootElement.GetProperty("sequence").GetInt64());
                Assert.Equal([_key1.KeyId, _key2.KeyId], trust.RootElement.GetProperty("keyIds").EnumerateArray().Select(k => k.GetString()));
            }

            // A man in the middle serves version 4 re-signed by its own key and a key set 3 it signed itself: refused, nothing changes.
            _time.Advance(TimeSpan.FromMinutes(5));
            Assert.Equal(_key2.KeyId, await PublishAsync(api, "http://four.example/d", 4));
            var state = await File.ReadAllBytesAsync(new LocalStateStore(StateDir).StatePath(Eu));
            var trusted = await File.ReadAllBytesAsync(TrustFile);
            var forgery = new Forgery(_attacker, _key2.KeyId, current.Set);

            var refused = await Assert.ThrowsAsync<CliException>(() => SyncAsync(api, ispKey, forgery));

            Assert.Equal("refused-key-set", refused.Code);
            Assert.Contains($"key set 3 is signed by key {_attacker.KeyId}, which is not a trusted key", refused.Message);
            Assert.True(forgery.ServedKeySet);
            Assert.Equal(state, await File.ReadAllBytesAsync(new LocalStateStore(StateDir).StatePath(Eu)));
            Assert.Equal(trusted, await File.ReadAllBytesAsync(TrustFile));

            // The genuine answer is still taken: version 4, signed by key 2.
            Assert.Equal(("updated", 4L), Outcome(await SyncAsync(api, ispKey)));
        }
    }

    [Fact]
    public async Task Published_keys_cannot_be_replaced_and_sequences_are_checked()
    {
        await using (var api = Start(Key(0, _key1)))
        {
            using var anonymous = api.CreateClient();
            Assert.Equal(1, (await KeySetAsync(anonymous, null)).Set.Sequence);
            var missing = await anonymous.GetAsync("/api/v1/keys?sequence=2");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            var invalid = await anonymous.GetAsync("/api/v1/keys/signature?sequence=zero");
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
            Assert.True((await invalid.JsonAsync()).GetProperty("errors").TryGetProperty("sequence", out _));
        }

        // A deployment configured with a different first key would fork the chain clients follow: start-up fails.
        await using var replaced = Start(Key(0, _key2));
        var error = Assert.ThrowsAny<Exception>(() => replaced.CreateClient());
        Assert.Contains("published keys cannot be changed", Flatten(error));
    }

    private ApiFactory Start(IReadOnlyDictionary<string, string?> keys)
    {
        var settings = new Dictionary<string, string?>(keys)
        {
            ["Storage:TablePrefix"] = _prefix,
            ["Signing:Provider"] = "pem",
            ["Publishing:Interval"] = "00:00:00",
            ["Publishing:HeadCacheTtl"] = "00:00:00",
            ["Publishing:PollRecordInterval"] = "00:00:00",
        };
        return new ApiFactory(storage.ConnectionString, settings, services => services.AddSingleton<TimeProvider>(_time));
    }

    private Dictionary<string, string?> Key(int index, PemArtifactSigner key, DateTimeOffset? activeFrom = null)
    {
        var path = Path.Combine(_directory, $"key-{key.KeyId[..8]}.pem");
        File.WriteAllText(path, key.ToPkcs8Pem());
        var settings = new Dictionary<string, string?> { [$"Signing:Keys:{index}:PemPath"] = path };
        if (activeFrom is { } at)
        {
            settings[$"Signing:Keys:{index}:ActiveFrom"] = at.ToString("O", CultureInfo.InvariantCulture);
        }

        return settings;
    }

    /// <summary>Submits one URL, runs one publish cycle and returns the key id the new manifest names.</summary>
    private static async Task<string> PublishAsync(ApiFactory api, string url, long expectedVersion)
    {
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "rotation-hotline");
        Assert.Equal(HttpStatusCode.Accepted, (await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add(url))))).StatusCode);
        var results = await api.Services.GetRequiredService<PublishRunner>().RunOnceAsync(CancellationToken.None);
        Assert.Equal(expectedVersion, results.Single(r => r.List == "eu").Version);
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "rotation-reader", "eu");
        return Manifest.FromJson(await isp.GetByteArrayAsync("/api/v1/lists/eu/manifest")).Value.KeyId;
    }

    /// <summary>One `blocklist sync` cycle as the CLI runs it: pinned to key 1, trust file and state under <see cref="StateDir"/>.</summary>
    private async Task<SyncReport> SyncAsync(ApiFactory api, string ispKey, DelegatingHandler? middle = null)
    {
        using var http = middle is null ? api.CreateClient() : api.CreateDefaultClient(middle);
        using var service = new ServiceClient(http.BaseAddress!, ispKey, http);
        var store = new LocalStateStore(StateDir);
        var follower = await KeyRotationFollower.LoadAsync(service, [_key1.PublicKeySpki], StateDir, CancellationToken.None);
        using var keys = follower.Verifier;
        var synchronizer = new ListSynchronizer(new UpdateFeed(service, _time), keys, store, new SyncOptions(Eu, [], new RpzOptions()), _time, null, follower);
        return await synchronizer.RunOnceAsync(CancellationToken.None);
    }

    private static (string, long) Outcome(SyncReport report) => (report.Outcome, report.Version);

    private static async Task<(KeySet Set, byte[] Document)> KeySetAsync(HttpClient client, long? sequence)
    {
        var query = sequence is null ? string.Empty : $"?sequence={sequence}";
        var document = await client.GetByteArrayAsync("/api/v1/keys" + query);
        var signature = await client.GetByteArrayAsync("/api/v1/keys/signature" + query);
        var set = KeySet.FromJson(document).Value;
        using var verifier = SignatureVerifier.FromPem(set.Keys.Select(k => k.PublicKeyPem)).Value;
        Assert.True(verifier.Verify(document, signature, set.SignedBy), "the key set's signature verifies with the key it names");
        return (set, document);
    }

    private static string Flatten(Exception error) => error.InnerException is null ? error.Message : error.Message + " | " + Flatten(error.InnerException);

    /// <summary>
    /// Sits between the client and the service: re-signs manifests with the attacker's key (naming it) and answers the
    /// key set routes with a set 3 that adds the attacker's key and is signed by it.
    /// </summary>
    private sealed class Forgery(PemArtifactSigner attacker, string genuineKeyId, KeySet current) : DelegatingHandler
    {
        public bool ServedKeySet { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path is "/api/v1/keys" or "/api/v1/keys/signature")
            {
                var forged = KeySetDocument();
                ServedKeySet = true;
                return Answer(path.EndsWith("/signature", StringComparison.Ordinal) ? attacker.Sign(forged) : forged);
            }

            if (path.StartsWith("/api/v1/lists/eu/artifacts/", StringComparison.Ordinal) && path.Contains("manifest.json", StringComparison.Ordinal))
            {
                var manifestPath = path.EndsWith(".sig", StringComparison.Ordinal) ? path[..^4] : path;
                using var genuine = await base.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(request.RequestUri, manifestPath)) { Headers = { Authorization = request.Headers.Authorization } }, cancellationToken);
                var manifest = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(await genuine.Content.ReadAsByteArrayAsync(cancellationToken)).Replace(genuineKeyId, attacker.KeyId));
                return Answer(path.EndsWith(".sig", StringComparison.Ordinal) ? attacker.Sign(manifest) : manifest);
            }

            return await base.SendAsync(request, cancellationToken);
        }

        private byte[] KeySetDocument()
        {
            var rotated = current.Rotate(attacker.PublicKeySpki.Span, current.Keys[^1].ActiveFrom.AddHours(1), current.Created);
            var text = Encoding.UTF8.GetString(rotated.ToJson()).Replace($"\"signedBy\":\"{rotated.SignedBy}\"", $"\"signedBy\":\"{attacker.KeyId}\"");
            return Encoding.UTF8.GetBytes(text);
        }

        private static HttpResponseMessage Answer(byte[] body) => new(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
    }
}
