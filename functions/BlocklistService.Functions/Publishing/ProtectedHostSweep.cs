using System.Security.Cryptography;
using System.Text;
using BlocklistService.Domain.Entries;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// When the protected hosts change (configuration), every entry already listed on a host that is now protected is put
/// up for admin review (<see cref="ListedReviews"/>), whatever its scope: a whole-host entry would now be refused, and a
/// narrower one would now be held for review at ingest, so both get the look they would get if submitted today. Each
/// stays listed until an admin keeps or delists it. Runs at start-up. The set's fingerprint (SHA-256 over the sorted hosts) is stored after a complete sweep, so an
/// unchanged set costs one point read, a changed one a scan of each list's entries once; a crash mid-sweep sweeps
/// again, and an entry already waiting is not queued twice.
/// </summary>
public sealed class ProtectedHostSweep(
    IRowStore rows, ListedReviews reviews, ListCatalog lists, ProtectedHosts protectedHosts, PublishStorageNames names, TimeProvider time,
    ILogger<ProtectedHostSweep> logger) : IStartupStep
{
    public static string Fingerprint(ProtectedHosts hosts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', hosts.Hosts.Order(StringComparer.Ordinal)))));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint(protectedHosts);
        if (await reviews.SweptFingerprintAsync(cancellationToken) == fingerprint)
        {
            return;
        }

        var queued = 0;
        var now = time.GetUtcNow();
        foreach (var list in (await lists.NamesAsync(cancellationToken)).Order(StringComparer.Ordinal))
        {
            await foreach (var row in rows.QueryAsync(names.Entries, list, null, null, cancellationToken))
            {
                if (!EntryId.TryParse(row.RowKey, out var id))
                {
                    continue;
                }

                var entry = EntryRows.FromRow(id, row);
                if (!entry.IsListed || protectedHosts.CoveringHost(ProtectedHosts.HostOf(entry.Expression)) is not { } host)
                {
                    continue;
                }

                var hotlines = entry.Backings.Select(b => b.Hotline).Distinct().Order(StringComparer.Ordinal).ToList();
                if (await reviews.AddAsync(new ListedReview(list, id.Hex, entry.Expression, entry.Scope.ToWireName(), host, hotlines, now), cancellationToken))
                {
                    queued++;
                }
            }
        }

        await reviews.MarkSweptAsync(fingerprint, cancellationToken);
        if (queued > 0)
        {
            logger.LogWarning("{Count} listed entries are on hosts now protected: put up for admin review", queued);
        }
    }
}
