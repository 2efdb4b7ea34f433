using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Domain.Publishing;

/// <summary>One change of a held version, as an admin sees it before deciding.</summary>
public sealed record HeldChange(
    string Kind, string EntryId, string Expression, string Scope, string Category, string Hotline, string Reference, string? Submission, int? Item, bool ProtectedHost);

/// <summary>Counts of a change set by scope, category and hotline.</summary>
public sealed record ChangeSetCounts(
    int Changes, int Listed, int Unlisted, IReadOnlyDictionary<string, int> ByScope, IReadOnlyDictionary<string, int> ByCategory, IReadOnlyDictionary<string, int> ByHotline);

/// <summary>
/// The exact change set of a planned version (its leaves, in plan order) and its digest: SHA-256, lowercase hex, over
/// one line per change, <c>kind TAB entryId TAB scope TAB category TAB hotline TAB reference TAB submission TAB item LF</c>
/// (empty for a missing submission or item). Times are not part of it, so an approved plan re-stamped at approval keeps
/// its digest. A hold shows this set and its digest; approval names the digest (<c>If-Match</c>) and publishes exactly it.
/// </summary>
public static class ChangeSet
{
    public static string Digest(IReadOnlyList<PlannedLeaf> leaves)
    {
        var text = new StringBuilder(leaves.Count * 160);
        foreach (var leaf in leaves)
        {
            text.Append(leaf.Kind.ToWireName()).Append('\t')
                .Append(leaf.Id.Hex).Append('\t')
                .Append(leaf.Scope.ToWireName()).Append('\t')
                .Append(leaf.Category).Append('\t')
                .Append(leaf.Hotline).Append('\t')
                .Append(leaf.Reference).Append('\t')
                .Append(leaf.SubmissionId).Append('\t')
                .Append(leaf.ItemIndex?.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static IReadOnlyList<HeldChange> Changes(IReadOnlyList<PlannedLeaf> leaves, ProtectedHosts protectedHosts) =>
        leaves.Select(l => new HeldChange(l.Kind.ToWireName(), l.Id.Hex, l.Expression, l.Scope.ToWireName(), l.Category, l.Hotline, l.Reference,
            l.SubmissionId, l.ItemIndex, protectedHosts.Covers(ProtectedHosts.HostOf(l.Expression)))).ToList();

    public static ChangeSetCounts Count(PublishPlan plan) => new(
        plan.Leaves.Count,
        plan.Listed.Count,
        plan.Unlisted.Count,
        Tally(plan.Leaves.Select(l => l.Scope.ToWireName())),
        Tally(plan.Leaves.Select(l => l.Category)),
        Tally(plan.Leaves.Select(l => l.Hotline)));

    /// <summary>The plan re-stamped to publish at <paramref name="now"/> (created, expires and every leaf's time), same change set.</summary>
    public static PublishPlan Restamp(PublishPlan plan, DateTimeOffset now) => plan with
    {
        Created = now,
        Expires = now + (plan.Expires - plan.Created),
        Leaves = plan.Leaves.Select(l => l with { At = now }).ToList(),
    };

    private static IReadOnlyDictionary<string, int> Tally(IEnumerable<string> keys) =>
        keys.GroupBy(k => k, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}
