using System.Collections.Concurrent;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// One list as an ISP key last reported it: the version it has applied (its <c>X-Blocklist-Applied-Version</c>, else the
/// <c>since</c> it polled with), how many versions and minutes it is behind (minutes since the first version it lacks
/// was published), and whether that exceeds <see cref="PublishingOptions.IspLagAlert"/>.
/// </summary>
public sealed record IspListStatus(
    string List, long CurrentVersion, long? ReportedVersion, long? Lag, DateTimeOffset? LastPoll, long? AppliedVersion = null, double? MinutesBehind = null,
    bool Flagged = false);

/// <summary>An ISP key, when it last called, and where each of its lists stands.</summary>
public sealed record IspStatus(string KeyId, string Organisation, bool Revoked, DateTimeOffset? LastContact, IReadOnlyList<IspListStatus> Lists);

/// <summary>
/// Records ISP polls in the <c>isps</c> table (<see cref="IspRows"/>: one row per ISP key, the latest poll per list)
/// and reports every ISP key's lag.
/// The version reported is the one the client says it has applied (<c>X-Blocklist-Applied-Version</c>, sent by
/// <c>blocklist sync</c>), falling back to its <c>since</c>.
/// A poll is noted in memory (no I/O on the request) when its <c>since</c> changed or
/// <see cref="PublishingOptions.PollRecordInterval"/> has passed; <see cref="FlushAsync"/> writes what was noted, run by
/// <see cref="IspPollFlusher"/> every <see cref="PublishingOptions.PollFlushInterval"/> and at shutdown, and before
/// <see cref="ListAsync"/> reports.
/// </summary>
public sealed class IspTracker(IRowStore rows, PublishStorageNames names, ApiKeyStore keys, IOptions<PublishingOptions> options, TimeProvider time)
{
    public const string Partition = IspRows.Partition;
    private readonly ConcurrentDictionary<(string KeyId, string List), (long Since, DateTimeOffset At)> _recorded = new();
    private readonly ConcurrentDictionary<(string KeyId, string List), Poll> _pending = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>A poll noted but not yet written.</summary>
    private sealed record Poll(string Organisation, long Since, DateTimeOffset At);

    /// <summary>Polls noted and not yet written.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>The header in which a client reports the version of the list it has applied.</summary>
    public const string AppliedVersionHeader = "X-Blocklist-Applied-Version";

    /// <summary>Notes a poll by <paramref name="keyId"/> of <paramref name="list"/> at <paramref name="since"/> (the applied version); never does I/O.</summary>
    public void RecordPoll(string keyId, string organisation, string list, long since)
    {
        var now = time.GetUtcNow();
        var key = (keyId, list);
        if (_recorded.TryGetValue(key, out var last) && last.Since == since && now - last.At < options.Value.PollRecordInterval)
        {
            return;
        }

        _recorded[key] = (since, now);
        _pending[key] = new Poll(organisation, since, now);
    }

    /// <summary>
    /// Writes every noted poll (one read and one upsert per key id). A poll whose write fails is kept for the next flush
    /// unless a newer one was noted meanwhile.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var taken = new List<((string KeyId, string List) Key, Poll Poll)>();
            foreach (var key in _pending.Keys)
            {
                if (_pending.TryRemove(key, out var poll))
                {
                    taken.Add((key, poll));
                }
            }

            foreach (var byKey in taken.GroupBy(t => t.Key.KeyId, StringComparer.Ordinal))
            {
                try
                {
                    await WriteAsync(byKey.Key, byKey.Select(t => (t.Key.List, t.Poll)).ToList(), cancellationToken);
                }
                catch
                {
                    foreach (var (key, poll) in byKey)
                    {
                        _pending.TryAdd(key, poll);
                    }

                    throw;
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task WriteAsync(string keyId, IReadOnlyList<(string List, Poll Poll)> polls, CancellationToken cancellationToken)
    {
        var existing = await rows.GetAsync(names.Isps, Partition, keyId, cancellationToken) is { } row ? IspRows.FromRow(row) : null;
        var lists = new Dictionary<string, IspListPoll>(existing?.Lists ?? new Dictionary<string, IspListPoll>(), StringComparer.Ordinal);
        var organisation = existing?.Organisation;
        var latest = existing?.LastContact;
        foreach (var (list, poll) in polls)
        {
            organisation = poll.Organisation;
            lists[list] = new IspListPoll(poll.Since, poll.At);
            latest = latest is { } l && l > poll.At ? l : poll.At;
        }

        await rows.UpsertAsync(names.Isps, [IspRows.ToRow(new IspPolls(keyId, organisation, latest, lists))], cancellationToken);
    }

    /// <summary>Every ISP key (revoked ones too), with its lists' reported versions and lag behind the current versions.</summary>
    public async Task<IReadOnlyList<IspStatus>> ListAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        var now = time.GetUtcNow();
        var current = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var row in rows.QueryAsync(names.Lists, ListHeadRows.Partition, null, null, cancellationToken))
        {
            current[row.RowKey] = ListHeadRows.FromRow(row).Version;
        }

        // when each version was published, read once per (list, version) an ISP lacks first
        var published = new Dictionary<(string, long), DateTimeOffset?>();
        async Task<double?> MinutesBehindAsync(string list, long applied)
        {
            if (applied >= current.GetValueOrDefault(list))
            {
                return 0;
            }

            if (!published.TryGetValue((list, applied + 1), out var at))
            {
                at = await rows.GetAsync(names.Versions, list, VersionRows.RowKey(applied + 1), cancellationToken) is { } row ? VersionRows.FromRow(row)?.Created : null;
                published[(list, applied + 1)] = at;
            }

            return at is { } t ? Math.Max(0, (now - t).TotalMinutes) : null;
        }

        var polls = new Dictionary<string, IspPolls>(StringComparer.Ordinal);
        await foreach (var row in rows.QueryAsync(names.Isps, Partition, null, null, cancellationToken))
        {
            polls[row.RowKey] = IspRows.FromRow(row);
        }

        var result = new List<IspStatus>();
        foreach (var key in (await keys.ListAsync(cancellationToken)).Where(k => k.Role == Auth.Roles.Isp))
        {
            polls.TryGetValue(key.KeyId, out var poll);
            var lists = key.Lists.Contains(ApiKeyRecord.AllLists) ? current.Keys.Order(StringComparer.Ordinal).ToList() : key.Lists.Order(StringComparer.Ordinal).ToList();
            var statuses = new List<IspListStatus>();
            foreach (var list in lists)
            {
                var version = current.GetValueOrDefault(list);
                var listPoll = poll?.Lists.GetValueOrDefault(list);
                long? reported = listPoll?.Since;
                var minutes = reported is { } applied ? await MinutesBehindAsync(list, applied) : null;
                statuses.Add(new IspListStatus(list, version, reported, reported is { } r ? Math.Max(0, version - r) : null, listPoll?.Polled,
                    reported, minutes is { } shown ? Math.Round(shown, 2) : null, minutes is { } m && m > options.Value.IspLagAlert.TotalMinutes));
            }

            result.Add(new IspStatus(key.KeyId, key.Organisation, key.IsRevoked, poll?.LastContact, statuses));
        }

        return result;
    }
}
