namespace BlocklistService.Cli.Tests.Sync;

/// <summary>
/// A signed feed served over HTTP and a temporary home whose <c>service.pem</c> pins the feed's key: what every test of
/// <c>blocklist sync</c> against a real server starts from.
/// </summary>
public abstract class FeedHome : IAsyncLifetime
{
    internal TemporaryDirectory Home { get; } = TestStates.TempDirectory();

    internal TestFeed Feed { get; } = new();

    internal FeedServer Server { get; private set; } = null!;

    protected string StateDir => Path.Combine(Home.Path, "state");

    public async Task InitializeAsync()
    {
        Server = await FeedServer.StartAsync(Feed);
        await File.WriteAllTextAsync(Home.File("service.pem"), Feed.Signer.PublicKeyPem);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Feed.Dispose();
        Home.Dispose();
    }
}
