using System.Security.Claims;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Decisions;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// Admin routes: issue, list and revoke API keys. A key's secret is shown once, in the answer that issues it. Issue and
/// revoke take a <c>reason</c> and are logged as <c>key-issue</c> / <c>key-revoke</c> decision leaves.
/// </summary>
public static class AdminKeyEndpoints
{
    /// <summary>
    /// Request to issue a key. ISP keys name the lists they may read (<c>*</c>: every list) and may set their feed:
    /// <c>plain</c> (default) or <c>hashed</c> (only the hashed artifacts: ids, scopes, categories, no expressions).
    /// </summary>
    public sealed record IssueKeyRequest(string? Role, string? Organisation, string?[]? Lists, string? Feed = null, string? Reason = null);

    /// <summary>A key as listed: never its secret. <see cref="Feed"/> is set for ISP keys only.</summary>
    public sealed record KeyInfo(string KeyId, string Role, string Organisation, IReadOnlyList<string> Lists, DateTimeOffset Created, DateTimeOffset? Revoked, string? Feed = null);

    /// <summary>A newly issued key: <see cref="Key"/> is the only copy of the secret.</summary>
    public sealed record IssuedKey(string Key, KeyInfo Info);

    public sealed record KeyList(IReadOnlyList<KeyInfo> Keys);

    public static IEndpointRouteBuilder MapAdminKeyEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/admin/keys").WithTags("Admin").RequireAuthorization(Roles.Admin);
        group.MapPost("/", IssueAsync).Accepts<IssueKeyRequest>("application/json").WithName("IssueKey").WithSummary("Issue an API key (the secret is shown once)");
        group.MapGet("/", ListAsync).WithName("ListKeys").WithSummary("Every key: id, role, organisation, lists, revoked");
        group.MapDelete("/{keyId}", RevokeAsync).WithName("RevokeKey").WithSummary("Revoke a key; effective from the next request");
        return routes;
    }

    private static async Task<Results<Created<IssuedKey>, ProblemHttpResult>> IssueAsync(
        HttpContext context, ApiKeyStore keys, ListCatalog catalog, DecisionLog decisions, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        // Read through the client JSON policy: {"role":"isp","role":"admin"} is refused, not last-one-wins.
        var (request, malformed) = await ClientJson.ReadAsync<IssueKeyRequest>(context, ApiSetup.DefaultMaxRequestBytes, cancellationToken);
        if (request is null)
        {
            return malformed!;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (DecisionReason.Check(request.Reason) is { } badReason)
        {
            errors["reason"] = [badReason];
        }

        if (!Roles.IsKnown(request.Role))
        {
            errors["role"] = [$"one of: {string.Join(", ", Roles.All)}"];
        }

        if (string.IsNullOrEmpty(request.Organisation))
        {
            errors["organisation"] = ["required: [a-z0-9-]{1,64}"];
        }
        else if (request.Organisation.Length > 64 ||
            !request.Organisation.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            errors["organisation"] = ["invalid: 1 to 64 characters of a-z, 0-9 and '-', e.g. acme-telecom"];
        }

        var nullAt = Array.IndexOf(request.Lists ?? [], null);
        var lists = (request.Lists ?? []).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (nullAt >= 0)
        {
            errors[$"lists[{nullAt}]"] = ["a list name, not null"];
        }
        else if (lists.Contains(ApiKeyRecord.AllLists) && lists.Count > 1)
        {
            errors["lists"] = ["\"*\" (every list) stands alone; name lists or give \"*\", not both"];
        }
        else if (request.Role == Roles.Isp)
        {
            var known = await catalog.NamesAsync(cancellationToken);
            if (lists.Count == 0 || lists.Count > 64)
            {
                errors["lists"] = ["an ISP key names 1 to 64 lists it may read, or \"*\" for every list"];
            }
            else if (lists.FirstOrDefault(l => l != ApiKeyRecord.AllLists && (!ListName.TryParse(l, out _) || !known.Contains(l))) is { } unknown)
            {
                errors["lists"] = [$"no list named '{Truncate(unknown)}'"];
            }
        }
        else if (lists.Count > 0)
        {
            errors["lists"] = ["only ISP keys name lists"];
        }

        var feed = ListFeed.Plain;
        if (request.Feed is not null)
        {
            if (request.Role != Roles.Isp)
            {
                errors["feed"] = ["only ISP keys have a feed"];
            }
            else if (!ListFeedNames.TryParse(request.Feed, out feed))
            {
                errors["feed"] = [$"one of: {ListFeedNames.Plain}, {ListFeedNames.Hashed}"];
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "invalid-key-request", "Invalid key request",
                "the request names an unknown role, an invalid organisation, unknown lists, an unknown feed or no reason", errors);
        }

        // issued, then logged, then shown: a key whose issue was not logged never had its secret shown, so nobody holds it
        var (key, record) = await keys.IssueAsync(request.Role!, request.Organisation!, lists, cancellationToken, feed);
        await decisions.AppendAsync($"key-issue-{record.KeyId}", DecisionKind.KeyIssue, DecisionLog.ActorOf(user), request.Reason!,
            new DecisionSubject { Key = record.KeyId, Disposition = $"{record.Role} for {record.Organisation}" }, cancellationToken);
        loggers.CreateLogger(typeof(AdminKeyEndpoints)).LogInformation(
            "Key {KeyId} ({Role}, {Organisation}, feed {Feed}) issued by {AdminKeyId}", record.KeyId, record.Role, record.Organisation, record.Feed.ToWireName(), user.KeyId());
        return TypedResults.Created($"/api/v1/admin/keys/{record.KeyId}", new IssuedKey(key.Value, ToInfo(record)));
    }

    private static async Task<Ok<KeyList>> ListAsync(ApiKeyStore keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(new KeyList((await keys.ListAsync(cancellationToken)).Select(ToInfo).ToList()));

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string keyId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] DecisionRequest? body, ApiKeyStore keys, DecisionLog decisions,
        CallerCache callers, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (keyId.Length != 16 || !keyId.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return Problems.NotFound("API key");
        }

        var (reason, invalid) = DecisionRequest.Check(body);
        if (invalid is not null)
        {
            return invalid;
        }

        if (await keys.FindAsync(keyId, cancellationToken) is null)
        {
            return Problems.NotFound("API key");
        }

        await decisions.AppendAsync($"key-revoke-{keyId}", DecisionKind.KeyRevoke, DecisionLog.ActorOf(user), reason!, new DecisionSubject { Key = keyId }, cancellationToken);
        var revoked = await keys.RevokeAsync(keyId, cancellationToken);
        if (revoked is null)
        {
            return Problems.NotFound("API key");
        }

        callers.Forget(keyId);
        loggers.CreateLogger(typeof(AdminKeyEndpoints)).LogInformation("Key {KeyId} revoked by {AdminKeyId}", keyId, user.KeyId());
        return TypedResults.NoContent();
    }

    private static KeyInfo ToInfo(ApiKeyRecord record) =>
        new(record.KeyId, record.Role, record.Organisation, record.Lists, record.Created, record.Revoked, record.Role == Roles.Isp ? record.Feed.ToWireName() : null);

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
