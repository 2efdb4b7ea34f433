using System.Globalization;
using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// The signing key sets, anonymous (a client needs them before it trusts anything): <c>GET /api/v1/keys</c> is the
/// current set (<c>blocklist-keys/1</c>), <c>GET /api/v1/keys/signature</c> its detached signature by the previous
/// set's key; <c>?sequence=N</c> selects an older set of the chain, so a client pinned to an old key can walk it.
/// </summary>
public static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/api/v1/keys").WithTags("Keys").AllowAnonymous();
        keys.MapGet("/", (string? sequence, HttpContext context, KeySetPublisher publisher, IBlobStore blobs, PublishStorageNames names, CancellationToken cancellationToken) =>
                ServeAsync(sequence, signature: false, context, publisher, blobs, names, cancellationToken))
            .WithName("GetSigningKeys")
            .WithSummary("The signing key set (blocklist-keys/1): the current one, or ?sequence=N of the chain");
        keys.MapGet("/signature", (string? sequence, HttpContext context, KeySetPublisher publisher, IBlobStore blobs, PublishStorageNames names, CancellationToken cancellationToken) =>
                ServeAsync(sequence, signature: true, context, publisher, blobs, names, cancellationToken))
            .WithName("GetSigningKeysSignature")
            .WithSummary("The detached DER signature of the key set (by the previous set's active key; set 1 by its own key)");
        return routes;
    }

    private static async Task<IResult> ServeAsync(
        string? sequence, bool signature, HttpContext context, KeySetPublisher publisher, IBlobStore blobs, PublishStorageNames names, CancellationToken cancellationToken)
    {
        string path;
        if (sequence is null)
        {
            await publisher.EnsurePublishedAsync(cancellationToken);
            path = KeySetPublisher.CurrentPath;
            context.Response.Headers.CacheControl = SignedFiles.NoCache;
        }
        else if (long.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1)
        {
            path = KeySetPublisher.SequencePath(number);
            context.Response.Headers.CacheControl = SignedFiles.ImmutableCache;
        }
        else
        {
            return Problems.Field(400, "invalid-sequence", "Invalid query", "sequence", "a key set sequence number: a whole number ≥ 1 (absent: the current set)");
        }

        var blob = await blobs.GetAsync(names.ArtifactsContainer, signature ? ArtifactPaths.Signature(path) : path, cancellationToken);
        if (blob is null)
        {
            context.Response.Headers.CacheControl = SignedFiles.NoCache;
            return Problems.Field(404, "not-found", "Not found", "sequence", $"no key set with sequence {sequence}");
        }

        return TypedResults.Bytes(blob.Content, signature ? "application/octet-stream" : "application/json");
    }
}
