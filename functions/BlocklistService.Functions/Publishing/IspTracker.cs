using System.Collections.Concurrent;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Publishing;

/// <summary>One list as an ISP key last reported it.</summary>
public sealed record IspListStatus(string List, long CurrentVersion, long? ReportedVersion, long? Lag, DateTimeOffset? LastPoll);

/// <summary>An ISP key, when it last called, and where each of its lists stands.</summary>
public sealed record IspStatus(string KeyId, string Organisation, bool Revoked, DateTimeOffset? LastContact, IReadOnlyList<IspListStatus> Lists);

/// <summary>
/// Records ISP polls in the <c>isps</c> table (PK <c>isp</c>, RK key id; per list <c>Since_{list}</c> and
/// <c>Polled_{list}</c>, '-' in list names written as '_', which names cannot contain) and reports every ISP key's lag.
/// A poll is written when its <c>since</c> changed or <see cref="PublishingOptions.PollRecordInterval"/> has passed, so
/// a 304 poll usually costs no write.
/// </summary>
public sealed class IspTracker(IRowStore rows, PublishStorageNames names, ApiKeyStore keys, IOptions<PublishingOptions> options, TimeProvider time)
{
    public const string Partition = "isp";
    private readonly ConcurrentDictionary<(string KeyId, string List), (long Since, DateTimeOffset At)> _recorded = new();

    public async Task RecordPollAsync(string keyId, string organisation, string list, long since, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_recorded.TryGetValue((keyId, list), out var last) && last.Since == since && now - last.At < options.Value.PollRecordInterval)
        {
            return;
        }

        var existing = await rows.GetAsync(names.Isps, Partition, keyId, cancellationToken);
        var properties = existing is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(existing.Properties);
        properties["Organisation"] = organisation;
        properties["LastContact"] = now;
        properties[SinceProperty(list)] = since;
        properties[PolledProperty(list)] = now;
        await rows.UpsertAsync(names.Isps, [new Row(Partition, keyId, properties)], cancellationToken);
        _recorded[(keyId, list)] = (since, now);
    }

    /// <summary>Every ISP key (revoked ones too), with its lists' reported versions and lag behind the current versions.</summary>
    public async Task<IReadOnlyList<IspStatus>> ListAsync(CancellationToken cancellationToken)
    {
        var current = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var row in rows.QueryAsync(names.Lists, PublishRunner.ListsPartition, null, null, cancellationToken))
        {
            current[row.RowKey] = row.GetInt64("Version");
        }

        var polls = new Dictionary<string, Row>(StringComparer.Ordinal);
        await foreach (var row in rows.QueryAsync(names.Isps, Partition, null, null, cancellationToken))
        {
            polls[row.RowKey] = row;
        }

        var result = new List<IspStatus>();
        foreach (var key in (await keys.ListAsync(cancellationToken)).Where(k => k.Role == Auth.Roles.Isp))
        {
            polls.TryGetValue(key.KeyId, out var poll);
            var lists = key.Lists.Contains(ApiKeyRecord.AllLists) ? current.Keys.Order(StringComparer.Ordinal).ToList() : key.Lists.Order(StringComparer.Ordinal).ToList();
            result.Add(new IspStatus(key.KeyId, key.Organisation, key.IsRevoked, poll?.GetDateTimeOffset("LastContact"), lists.Select(list =>
            {
                var version = current.GetValueOrDefault(list);
                long? reported = poll is not null && poll.Properties.ContainsKey(SinceProperty(list)) ? poll.GetInt64(SinceProperty(list)) : null;
                return new IspListStatus(list, version, reported, reported is { } r ? Math.Max(0, version - r) : null, poll?.GetDateTimeOffset(PolledProperty(list)));
            }).ToList()));
        }

        return result;
    }

    private static string SinceProperty(string list) => "Since_" + list.Replace('-', '_');

    private static string PolledProperty(string list) => "Polled_" + list.Replace('-', '_');
}
