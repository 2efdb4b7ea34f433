using System.Text;
using System.Text.Json.Nodes;
using BlocklistService.Domain.Entries;
using BlocklistService.Functions.Ingest;

namespace BlocklistService.Functions.Decisions;

/// <summary>An entry in a list whose backing a decision withdraws.</summary>
public sealed record WithdrawnEntry(string List, EntryId Id, string Expression, EntryScope Scope);

/// <summary>
/// How a decision that delists (an upheld appeal, a listed entry delisted on review) takes effect: for each backing
/// hotline, a journaled submission of <c>remove</c> items on its behalf under an idempotency key derived from the
/// decision, so a retry journals nothing twice; the next version removes the entry once no backing is left.
/// </summary>
public static class BackingWithdrawal
{
    public static async Task JournalAsync(SubmissionIngest ingest, string decisionId, string hotline, IReadOnlyList<WithdrawnEntry> entries, CancellationToken cancellationToken)
    {
        var items = new JsonArray();
        foreach (var group in entries.GroupBy(c => (c.Id, c.Expression, c.Scope)).OrderBy(g => g.Key.Id.Hex, StringComparer.Ordinal))
        {
            items.Add(new JsonObject
            {
                ["action"] = "remove",
                ["url"] = "http://" + group.Key.Expression,
                ["scope"] = group.Key.Scope.ToWireName(),
                ["lists"] = new JsonArray(group.Select(c => c.List).Order(StringComparer.Ordinal).Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
            });
        }

        var body = Encoding.UTF8.GetBytes(new JsonObject { ["items"] = items }.ToJsonString());
        var outcome = await ingest.SubmitAsync(hotline, decisionId, body, cancellationToken);
        // KeyReused: journaled by an earlier attempt, whose body named backings since published away
        if (outcome is not (IngestOutcome.Journaled { Receipt.Rejected: 0 } or IngestOutcome.KeyReused))
        {
            throw new InvalidOperationException($"{decisionId}: the withdrawal for {hotline} was not journaled whole ({outcome})");
        }
    }
}
