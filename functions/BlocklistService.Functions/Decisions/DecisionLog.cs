using System.Security.Claims;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Decisions;

/// <summary>A decision as the log recorded it: its id, its leaf index and the leaf.</summary>
public sealed record LoggedDecision(string Id, long Index, DecisionLeaf Leaf);

/// <summary>
/// Appends human decisions to the transparency log as <c>blocklist-decision/1</c> leaves (docs/protocol.md §6.3).
/// A decision is stored create-only as <c>work/decisions/{id}.json</c> (its leaf bytes) and then appended as its own
/// log batch keyed by the id, so a retry with the same id — after a crash anywhere, or a repeated request — logs it
/// exactly once, and the first recording (its time and reason) is the one that stands. Callers log the decision
/// before acting on it, so no action takes effect unlogged.
/// </summary>
public sealed class DecisionLog(IBlobStore blobs, PublishRunner runner, PublishStorageNames names, TimeProvider time)
{
    /// <summary>Longest decision id.</summary>
    public const int MaxIdLength = 200;

    /// <summary>The acting API key of a request: key id, organisation and role.</summary>
    public static DecisionActor ActorOf(ClaimsPrincipal user) =>
        new(user.KeyId() ?? throw new InvalidOperationException("a decision needs an authenticated API key"),
            user.Organisation(),
            user.FindFirstValue(ClaimTypes.Role) ?? throw new InvalidOperationException("an API key without a role"));

    /// <summary>A fresh id for a decision that has no natural one (a manual publish, a revert).</summary>
    public static string NewId(DecisionKind kind) => $"{kind.ToWireName()}-{Guid.NewGuid():N}";

    /// <summary>
    /// Logs a decision once per <paramref name="id"/> (characters [a-z0-9-], at most <see cref="MaxIdLength"/>) and
    /// returns it as recorded. <paramref name="reason"/> must pass <see cref="DecisionReason.Check"/>; callers
    /// validate it first and answer 400, so a bad reason here is a programming error.
    /// </summary>
    public async Task<LoggedDecision> AppendAsync(string id, DecisionKind kind, DecisionActor actor, string reason, DecisionSubject subject, CancellationToken cancellationToken)
    {
        if (id.Length is 0 or > MaxIdLength || !id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"decision id '{id}' is not [a-z0-9-]{{1,{MaxIdLength}}}", nameof(id));
        }

        var leaf = new DecisionLeaf { Kind = kind, Actor = actor, Reason = reason, DecidedAt = time.GetUtcNow(), Subject = subject };
        if (leaf.Validate() is { } problem)
        {
            throw new ArgumentException($"decision {id}: {problem}", nameof(subject));
        }

        var bytes = leaf.ToJson();
        var planName = TransparencyLogStore.DecisionPlanPrefix + id + ".json";
        if (await blobs.PutIfAbsentAsync(names.WorkContainer, planName, bytes, "application/json", SignedFiles.NoCache, cancellationToken) == BlobPutResult.AlreadyExists)
        {
            // recorded before (a retry): the stored leaf stands
            bytes = (await blobs.GetAsync(names.WorkContainer, planName, cancellationToken))?.Content
                    ?? throw new InvalidOperationException($"decision {planName} exists but cannot be read");
            leaf = DecisionLeaf.FromJson(bytes).Value;
        }

        var batch = await runner.Log.AppendDecisionAsync(id, planName, bytes, leaf.DecidedAt, cancellationToken);
        return new LoggedDecision(id, batch.Start, leaf);
    }
}
