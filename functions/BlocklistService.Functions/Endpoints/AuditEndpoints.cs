using System.Globalization;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Domain.Urls;
using BlocklistService.Functions.Audit;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// The auditor's routes (<c>/api/v1/audit</c>, role auditor): an entry's history, the transparency log's checkpoint,
/// leaves and proofs, the signed manifests to replay against, and exports of a time range. See docs/audit.md.
/// </summary>
public static class AuditEndpoints
{
    /// <summary>Most leaves one page of <c>/log/leaves</c> returns.</summary>
    public const int MaxLeavesPerPage = 1000;

    /// <summary>Most manifests one page of <c>/lists/{list}/manifests</c> returns.</summary>
    public const int MaxManifestsPerPage = 100;

    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditStorage>();
        services.AddSingleton<TransparencyLogReader>();
        return services;
    }

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/v1/audit").RequireAuthorization(Roles.Auditor).WithTags("Audit");
        audit.MapGet("/entries/{id}", GetEntryHistoryAsync).WithName("GetEntryHistory")
            .WithSummary("Every transparency-log leaf about one entry (by its id), oldest first.");
        audit.MapGet("/entries", FindEntryHistoryAsync).WithName("FindEntryHistory")
            .WithSummary("Every transparency-log leaf about the entry a URL and scope canonicalize to.");
        audit.MapGet("/log/checkpoint", GetCheckpointAsync).WithName("GetCheckpoint")
            .WithSummary("The current signed checkpoint, or the one of a given size.");
        audit.MapGet("/log/leaves", GetLeavesAsync).WithName("GetLogLeaves")
            .WithSummary("Leaves [start, end) with their exact bytes and leaf hashes (at most 1000 per page).");
        audit.MapGet("/log/proofs/inclusion", GetInclusionProofAsync).WithName("GetInclusionProof")
            .WithSummary("RFC 6962 inclusion proof of a leaf in the tree of a given size.");
        audit.MapGet("/log/proofs/consistency", GetConsistencyProofAsync).WithName("GetConsistencyProof")
            .WithSummary("RFC 6962 consistency proof between two tree sizes.");
        audit.MapGet("/lists", GetListsAsync).WithName("GetAuditLists")
            .WithSummary("The names of every list.");
        audit.MapGet("/lists/{list}/manifests", GetManifestsAsync).WithName("GetAuditManifests")
            .WithSummary("Consecutive signed versioned manifests of a list from a version on (at most 100 per page).");
        audit.MapGet("/export", ExportAsync).WithName("ExportAuditLog")
            .WithSummary("The leaves published in a time range, as CSV or JSON Lines.");
        return app;
    }

    public static async Task<Results<Ok<EntryHistoryResponse>, ProblemHttpResult>> GetEntryHistoryAsync(
        string id, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        if (!EntryId.TryParse(id, out var entryId))
        {
            return Problems.Field(400, "invalid-entry-id", "Invalid entry id", "id", "must be 64 lowercase hex characters (the SHA-256 of the expression)");
        }

        return TypedResults.Ok(await HistoryAsync(entryId, null, null, log, cancellationToken));
    }

    public static async Task<Results<Ok<EntryHistoryResponse>, ProblemHttpResult>> FindEntryHistoryAsync(
        string? url, string? scope, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(url))
        {
            return Problems.Field(400, "missing-url", "Missing URL", "url", "give ?url= (and optionally ?scope=exact|path|host), or use /entries/{id}");
        }

        var parsed = EntryExpression.Create(url, scope ?? "exact");
        if (parsed.Rejection is { } failure)
        {
            var field = failure.Code == RejectionCodes.InvalidScope ? "scope" : "url";
            return Problems.Field(400, "invalid-url", "Invalid URL or scope", field, failure.Message);
        }

        var expression = parsed.Value;
        return TypedResults.Ok(await HistoryAsync(expression.Id, expression.Expression, expression.Scope.ToWireName(), log, cancellationToken));
    }

    public static async Task<Results<Ok<CheckpointResponse>, ProblemHttpResult>> GetCheckpointAsync(
        string? size, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        long? wanted = null;
        if (size is not null)
        {
            if (!TryParseCount(size, out var value))
            {
                return NotNumber("size");
            }

            wanted = value;
        }

        var checkpoint = await CheckpointAsync(wanted, log, cancellationToken);
        return checkpoint is null
            ? Problems.Create(404, "no-checkpoint", "No checkpoint", wanted is null ? "nothing has been logged yet" : $"size: no checkpoint was published at size {wanted}")
            : TypedResults.Ok(checkpoint);
    }

    public static async Task<Results<Ok<LeavesResponse>, ProblemHttpResult>> GetLeavesAsync(
        string? start, string? end, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        if (!TryParseCount(start ?? "0", out var first))
        {
            return NotNumber("start");
        }

        var (size, _) = await log.GetHeadAsync(cancellationToken);
        var last = size;
        if (end is not null && !TryParseCount(end, out last))
        {
            return NotNumber("end");
        }

        if (first > size)
        {
            return Problems.Field(400, "out-of-range", "Out of range", "start", $"must be at most the tree size ({size})");
        }

        if (last > size)
        {
            return Problems.Field(400, "out-of-range", "Out of range", "end", $"must be at most the tree size ({size})");
        }

        if (last < first)
        {
            return Problems.Field(400, "out-of-range", "Out of range", "end", "must not be less than start");
        }

        last = Math.Min(last, first + MaxLeavesPerPage);
        var leaves = new List<LeafResponse>();
        await foreach (var leaf in log.GetLeavesAsync(first, last, cancellationToken))
        {
            leaves.Add(ToResponse(leaf));
        }

        return TypedResults.Ok(new LeavesResponse(first, last, size, leaves));
    }

    public static async Task<Results<Ok<InclusionProofResponse>, ProblemHttpResult>> GetInclusionProofAsync(
        string? index, string? size, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        if (index is null || !TryParseCount(index, out var leafIndex))
        {
            return NotNumber("index");
        }

        var (current, currentRoot) = await log.GetHeadAsync(cancellationToken);
        var treeSize = current;
        if (size is not null && !TryParseCount(size, out treeSize))
        {
            return NotNumber("size");
        }

        if (treeSize > current)
        {
            return Problems.Field(400, "out-of-range", "Out of range", "size", $"must be at most the current tree size ({current})");
        }

        if (leafIndex >= treeSize)
        {
            return Problems.Field(400, "out-of-range", "Out of range", "index", $"must be less than the tree size ({treeSize})");
        }

        // independent reads, issued together
        var leafRead = log.GetLeafAsync(leafIndex, cancellationToken);
        var proofRead = log.InclusionProofAsync(leafIndex, treeSize, cancellationToken);
        var rootRead = treeSize == current ? Task.FromResult(currentRoot) : log.RootAtAsync(treeSize, cancellationToken);
        var checkpointRead = CheckpointAsync(treeSize, log, cancellationToken);
        await Task.WhenAll(leafRead, proofRead, rootRead, checkpointRead);
        var leaf = await leafRead;
        if (leaf is null)
        {
            return Problems.Create(404, "leaf-missing", "Leaf missing", $"index: leaf {leafIndex} is not stored");
        }

        var (proof, root) = (await proofRead, await rootRead);
        return TypedResults.Ok(new InclusionProofResponse(
            leafIndex, treeSize, Convert.ToHexStringLower(leaf.LeafHash()), Convert.ToHexStringLower(root),
            proof.Hashes.Select(Convert.ToHexStringLower).ToList(), await checkpointRead));
    }

    public static async Task<Results<Ok<ConsistencyProofResponse>, ProblemHttpResult>> GetConsistencyProofAsync(
        string? first, string? second, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        if (first is null || !TryParseCount(first, out var firstSize))
        {
            return NotNumber("first");
        }

        if (second is null || !TryParseCount(second, out var secondSize))
        {
            return NotNumber("second");
        }

        var (current, currentRoot) = await log.GetHeadAsync(cancellationToken);
        if (firstSize < 1)
        {
            return Problems.Field(400, "out-of-range", "Out of range", "first", "must be at least 1");
        }

        if (secondSize > current)
        {
            return Problems.Field(400, "out-of-range", "Out of range", "second", $"must be at most the current tree size ({current})");
        }

        if (firstSize >= secondSize)
        {
            return Problems.Field(400, "out-of-range", "Out of range", "first", "must be less than second");
        }

        // independent reads, issued together
        var proofRead = log.ConsistencyProofAsync(firstSize, secondSize, cancellationToken);
        var firstRootRead = log.RootAtAsync(firstSize, cancellationToken);
        var secondRootRead = secondSize == current ? Task.FromResult(currentRoot) : log.RootAtAsync(secondSize, cancellationToken);
        var checkpointRead = CheckpointAsync(secondSize, log, cancellationToken);
        await Task.WhenAll(proofRead, firstRootRead, secondRootRead, checkpointRead);
        var (proof, firstRoot, secondRoot) = (await proofRead, await firstRootRead, await secondRootRead);
        return TypedResults.Ok(new ConsistencyProofResponse(
            firstSize, secondSize, Convert.ToHexStringLower(firstRoot), Convert.ToHexStringLower(secondRoot),
            proof.Hashes.Select(Convert.ToHexStringLower).ToList(), await checkpointRead));
    }

    public static async Task<Ok<AuditListsResponse>> GetListsAsync(ListCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(new AuditListsResponse((await catalog.NamesAsync(cancellationToken)).Order(StringComparer.Ordinal).ToList()));

    public static async Task<Results<Ok<ManifestPageResponse>, ProblemHttpResult>> GetManifestsAsync(
        string list, string? from, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        if (!ListName.TryParse(list, out var name))
        {
            return Problems.Field(400, "invalid-list", "Invalid list name", "list", "must match [a-z0-9-]{1,32}");
        }

        var version = 1L;
        if (from is not null && (!TryParseCount(from, out version) || version < 1))
        {
            return Problems.Field(400, "invalid-number", "Invalid number", "from", "must be a version number (1 or more)");
        }

        var manifests = new List<ManifestResponse>();
        long? next = null;
        for (var v = version; ; v++)
        {
            if (manifests.Count == MaxManifestsPerPage)
            {
                next = v;
                break;
            }

            var blob = await log.GetManifestAsync(name, v, cancellationToken);
            if (blob is null)
            {
                break;
            }

            manifests.Add(new ManifestResponse(v, Convert.ToBase64String(blob.Content), Convert.ToBase64String(blob.Signature)));
        }

        return TypedResults.Ok(new ManifestPageResponse(name.Value, manifests, next));
    }

    /// <summary>Streams the leaves whose publication time lies in [from, to) as CSV or JSON Lines.</summary>
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ExportAsync(
        string? from, string? to, string? format, HttpContext context, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        if (!AuditExport.TryParseFormat(format, out var exportFormat))
        {
            return Problems.Field(400, "invalid-format", "Invalid format", "format", "must be csv or jsonl");
        }

        if (!TryParseTime(from, DateTimeOffset.MinValue, out var since))
        {
            return Problems.Field(400, "invalid-time", "Invalid time", "from", "must be an ISO 8601 date or time, e.g. 2026-11-01T00:00:00Z");
        }

        if (!TryParseTime(to, DateTimeOffset.MaxValue, out var until))
        {
            return Problems.Field(400, "invalid-time", "Invalid time", "to", "must be an ISO 8601 date or time, e.g. 2026-12-01T00:00:00Z");
        }

        if (until < since)
        {
            return Problems.Field(400, "invalid-time", "Invalid time", "to", "must not be before from");
        }

        var (size, _) = await log.GetHeadAsync(cancellationToken);
        var response = context.Response;
        response.ContentType = AuditExport.ContentType(exportFormat);
        response.Headers.ContentDisposition = $"attachment; filename=\"audit-log.{(exportFormat == AuditExportFormat.Csv ? "csv" : "jsonl")}\"";
        await response.WriteAsync(AuditExport.Header(exportFormat), cancellationToken);
        var first = since == DateTimeOffset.MinValue ? 0 : await log.FirstIndexPublishedFromAsync(since, size, cancellationToken);
        await foreach (var stored in log.GetLeavesAsync(first, size, cancellationToken))
        {
            var parsed = TransparencyLeaf.Parse(stored.Bytes);
            if (!parsed.IsSuccess || parsed.Value!.At < since || parsed.Value.At >= until)
            {
                continue;
            }

            await response.WriteAsync(AuditExport.Line(exportFormat, stored, parsed.Value), cancellationToken);
        }

        return TypedResults.Empty;
    }

    private static async Task<EntryHistoryResponse> HistoryAsync(EntryId id, string? expression, string? scope, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        var history = (await log.HistoryAsync(id, cancellationToken)).Select(ToResponse).ToList();

        // the first change names the entry's expression (a decision touching it names only its id)
        foreach (var leaf in expression is null ? history : [])
        {
            if (LogLeaf.FromJson(System.Text.Encoding.UTF8.GetBytes(leaf.Leaf)) is { IsSuccess: true } change)
            {
                expression = change.Value.Expression;
                scope = change.Value.Scope.ToWireName();
                break;
            }
        }

        return new EntryHistoryResponse(id.Hex, expression, scope, history);
    }

    private static async Task<CheckpointResponse?> CheckpointAsync(long? size, TransparencyLogReader log, CancellationToken cancellationToken)
    {
        var blob = await log.GetCheckpointAsync(size, cancellationToken);
        if (blob is null || Checkpoint.FromJson(blob.Content) is not { IsSuccess: true } parsed)
        {
            return null;
        }

        var checkpoint = parsed.Value!;
        return new CheckpointResponse(checkpoint.Size, checkpoint.RootHash, checkpoint.Time, checkpoint.KeyId,
            Convert.ToBase64String(blob.Content), Convert.ToBase64String(blob.Signature));
    }

    private static LeafResponse ToResponse(StoredLeaf leaf) =>
        new(leaf.Index, Convert.ToHexStringLower(leaf.LeafHash()), leaf.Text);

    private static bool TryParseCount(string value, out long result) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result >= 0;

    private static bool TryParseTime(string? value, DateTimeOffset fallback, out DateTimeOffset time)
    {
        if (string.IsNullOrEmpty(value))
        {
            time = fallback;
            return true;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    private static ProblemHttpResult NotNumber(string field) =>
        Problems.Field(400, "invalid-number", "Invalid number", field, "must be a non-negative whole number");
}
