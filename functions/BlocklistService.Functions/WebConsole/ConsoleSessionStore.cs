using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.WebConsole;

/// <summary>
/// Server-side console sessions in the <c>consolesessions</c> table, so every instance of the app sees the same
/// sign-ins and sign-outs. A lookup is one point read; the idle clock is advanced at most once a minute, with
/// If-Match, so a sign-out racing with it is never undone.
/// </summary>
public sealed class ConsoleSessionStore(IRowStore rows, PublishStorageNames names, TimeProvider time, IOptions<ConsoleOptions> options)
{
    /// <summary>How stale the stored idle clock may get before a request advances it.</summary>
    private static readonly TimeSpan TouchAfter = TimeSpan.FromMinutes(1);

    /// <summary>Starts a session acting as <paramref name="key"/>; the returned token is the cookie's only copy.</summary>
    public async Task<(string Token, ConsoleSession Session)> StartAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        var token = ConsoleSessionLayout.NewToken();
        var now = time.GetUtcNow();
        var session = new ConsoleSession(
            ConsoleSessionLayout.RowKeyOf(token), key.KeyId, key.Role, key.Organisation, ConsoleSessionLayout.NewToken(), now, now);
        await rows.AddAsync(names.ConsoleSessions, ConsoleSessionLayout.ToRow(session), cancellationToken);
        return (token, session);
    }

    /// <summary>The live session <paramref name="token"/> names, or null (unknown, signed out, idle too long or too old).</summary>
    public async Task<ConsoleSession?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.ConsoleSessions, ConsoleSessionLayout.Partition, ConsoleSessionLayout.RowKeyOf(token), cancellationToken);
        if (row is null)
        {
            return null;
        }

        var session = ConsoleSessionLayout.FromRow(row);
        var now = time.GetUtcNow();
        if (session.IsExpired(now, options.Value))
        {
            await rows.DeleteAsync(names.ConsoleSessions, [(row.PartitionKey, row.RowKey)], cancellationToken);
            return null;
        }

        if (now - session.LastSeen >= TouchAfter)
        {
            session = session with { LastSeen = now };
            try
            {
                await rows.UpdateAsync(names.ConsoleSessions, ConsoleSessionLayout.ToRow(session), row.ETag, cancellationToken);
            }
            catch (RowConflictException)
            {
                // signed out meanwhile (row gone) or another request touched it: either way nothing to add
            }
        }

        return session;
    }

    /// <summary>Ends the session <paramref name="token"/> names; an unknown token is fine.</summary>
    public Task EndAsync(string token, CancellationToken cancellationToken) =>
        rows.DeleteAsync(names.ConsoleSessions, [(ConsoleSessionLayout.Partition, ConsoleSessionLayout.RowKeyOf(token))], cancellationToken);
}
