using System.Globalization;
using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Endpoints;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Ingest;

/// <summary>A request body that cannot be read as a submission at all: the whole request is refused, nothing is written.</summary>
public sealed record SubmissionBodyError(string Field, string Message);

/// <summary>
/// Turns a submission body into journal items: each item is validated and canonicalized on its own, so one bad item
/// is rejected with a reason while the others go on. Only a body that is not a submission at all (bad JSON,
/// duplicate keys, too deep, no <c>items</c> array, too many items) is refused as a whole.
/// </summary>
public sealed class SubmissionValidator(IOptions<IngestOptions> options, ProtectedHosts protectedHosts, TimeProvider time)
{
    private const int MaxLists = 16;
    private const int MaxVerifiers = 10;
    private const int MaxReference = 256;
    private const int MaxAnalystId = 64;

    /// <summary>Parses and validates; either the items (every one accepted, rejected or held) or the body error.</summary>
    public (IReadOnlyList<SubmittedItem>? Items, SubmissionBodyError? Error) Validate(
        ReadOnlyMemory<byte> body, string hotline, IReadOnlySet<string> existingLists)
    {
        // The one client JSON policy (UTF-8, depth, duplicate keys, lone surrogates), naming the field it refuses.
        if (ClientJson.Check(body.Span) is { } malformed)
        {
            return (null, new SubmissionBodyError(malformed.Field, malformed.Message));
        }

        var document = JsonDocument.Parse(body, ClientJson.DocumentOptions);
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, new SubmissionBodyError("body", "must be a JSON object with an \"items\" array"));
            }

            if (!root.TryGetProperty("items", out var itemsElement) || itemsElement.ValueKind != JsonValueKind.Array)
            {
                return (null, new SubmissionBodyError("items", "required: an array of 1 or more items"));
            }

            var count = itemsElement.GetArrayLength();
            var max = options.Value.MaxItems;
            if (count == 0 || count > max)
            {
                return (null, new SubmissionBodyError("items", $"must hold 1 to {max} items (got {count})"));
            }

            var context = new ItemContext(options.Value, protectedHosts, hotline, existingLists, time.GetUtcNow());
            var items = new List<SubmittedItem>(count);
            var index = 0;
            foreach (var element in itemsElement.EnumerateArray())
            {
                items.Add(ValidateItem(element, index++, context));
            }

            return (items, null);
        }
    }

    private sealed record ItemContext(IngestOptions Options, ProtectedHosts ProtectedHosts, string Hotline, IReadOnlySet<string> Lists, DateTimeOffset Now);

    private static SubmittedItem ValidateItem(JsonElement element, int index, ItemContext context)
    {
        var prefix = $"items[{index}]";
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? firstReason = null;
        void Fail(string field, string reason, string message)
        {
            firstReason ??= reason;
            var key = field.Length == 0 ? prefix : $"{prefix}.{field}";
            errors[key] = errors.TryGetValue(key, out var existing) ? [.. existing, message] : [message];
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            Fail(string.Empty, "invalid-item", "must be a JSON object");
            return new SubmittedItem { Index = index, Result = ItemResult.Rejected, Reason = firstReason, Errors = errors };
        }

        var action = ReadString(element, "action", out var actionError);
        if (actionError is not null || action is not ("add" or "remove"))
        {
            Fail("action", "invalid-action", "required: \"add\" or \"remove\"");
        }

        var isAdd = action == "add";
        var scopeText = ReadString(element, "scope", out var scopeError);
        var scopeValid = EntryScopeNames.TryParse(scopeText, out var scope);
        if (scopeError is not null || !scopeValid)
        {
            Fail("scope", "invalid-scope", "required: \"exact\", \"path\" or \"host\"");
        }

        var url = ReadString(element, "url", out var urlError);
        EntryExpression? expression = null;
        if (urlError is not null || url is null)
        {
            Fail("url", "invalid-url", "required: a string");
        }
        else if (url.Length > context.Options.MaxUrlLength)
        {
            Fail("url", "url-too-long", $"longer than {context.Options.MaxUrlLength} characters");
        }
        else if (scopeValid)
        {
            var created = EntryExpression.Create(url, scope);
            if (!created.TryGetValue(out expression!))
            {
                Fail("url", created.Rejection!.Code, created.Rejection.Message);
                expression = null;
            }
        }

        var lists = ReadStringArray(element, "lists", out var listsError);
        if (listsError is not null || lists is null || lists.Count == 0)
        {
            Fail("lists", "invalid-list", "required: an array of 1 or more list names");
            lists = [];
        }
        else if (lists.Count > MaxLists)
        {
            Fail("lists", "invalid-list", $"at most {MaxLists} lists");
        }
        else
        {
            foreach (var list in lists)
            {
                if (!ListName.TryParse(list, out _))
                {
                    Fail("lists", "invalid-list", "list names are [a-z0-9-]{1,32}");
                    break;
                }

                if (!context.Lists.Contains(list))
                {
                    Fail("lists", "unknown-list", $"no list named '{list}'");
                    break;
                }
            }

            lists = lists.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        }

        var category = ReadString(element, "category", out var categoryError);
        if (categoryError is not null || (category is null && isAdd) ||
            (category is not null && !context.Options.EffectiveCategories.Contains(category, StringComparer.Ordinal)))
        {
            Fail("category", "invalid-category", $"must be one of: {string.Join(", ", context.Options.EffectiveCategories)}");
        }

        var reference = ReadString(element, "reference", out var referenceError);
        if (referenceError is not null || (isAdd && string.IsNullOrWhiteSpace(reference)) || reference is { Length: > MaxReference })
        {
            Fail("reference", "invalid-reference", $"required for add: the hotline's report reference, 1 to {MaxReference} characters");
        }

        var verifiedAt = ReadTimestamp(element, "verifiedAt", out var verifiedAtError);
        if (verifiedAtError is not null)
        {
            // A value that is there but unreadable says so: "required" would send the analyst looking for a missing column.
            Fail("verifiedAt", "invalid-verified-at", $"malformed: {verifiedAtError}, e.g. 2026-11-20T10:00:00Z");
        }
        else if (isAdd && verifiedAt is null)
        {
            Fail("verifiedAt", "invalid-verified-at", "required for add: an RFC 3339 timestamp with offset, e.g. 2026-11-20T10:00:00Z");
        }
        else if (verifiedAt > context.Now + context.Options.ClockSkew)
        {
            Fail("verifiedAt", "invalid-verified-at", "lies in the future");
        }

        var verifiedBy = ReadStringArray(element, "verifiedBy", out var verifiedByError) ?? [];
        var minimum = context.Options.MinimumVerifiersFor(context.Hotline);
        if (verifiedByError is not null || verifiedBy.Count > MaxVerifiers ||
            verifiedBy.Any(id => id.Length is 0 or > MaxAnalystId || !id.All(IsAnalystIdChar)))
        {
            Fail("verifiedBy", "invalid-verified-by", $"an array of up to {MaxVerifiers} analyst ids ([A-Za-z0-9._@-]{{1,{MaxAnalystId}}})");
        }
        else if (isAdd && verifiedBy.Distinct(StringComparer.OrdinalIgnoreCase).Count() < minimum)
        {
            Fail("verifiedBy", "two-person-rule", $"at least {minimum} distinct analysts must have verified an added item");
        }

        var reviewBy = ReadTimestamp(element, "reviewBy", out var reviewByError);
        if (reviewByError is not null)
        {
            Fail("reviewBy", "invalid-review-by", $"malformed: {reviewByError}, e.g. 2027-02-18T10:00:00Z");
        }
        else if (reviewBy is not null && verifiedAt is not null &&
                 (reviewBy <= verifiedAt || reviewBy > verifiedAt + context.Options.MaxReviewAfter))
        {
            Fail("reviewBy", "invalid-review-by", $"must lie after verifiedAt and at most {context.Options.MaxReviewAfter.TotalDays:0} days after it");
        }

        var reviewByGiven = reviewBy is not null;
        if (isAdd && reviewBy is null && verifiedAt is not null)
        {
            reviewBy = verifiedAt + context.Options.ReviewAfter;
        }

        // One rule for both ways of getting a review-by date: an entry whose review is already due would be published
        // only to expire in the next version, so a stale verification is refused whether the date was given or derived.
        if (isAdd && reviewBy <= context.Now && !errors.ContainsKey($"{prefix}.reviewBy") && !errors.ContainsKey($"{prefix}.verifiedAt"))
        {
            var due = reviewBy.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            if (reviewByGiven)
            {
                Fail("reviewBy", "review-by-passed", $"{due} has passed: an entry's review-by date must lie in the future");
            }
            else
            {
                Fail("verifiedAt", "review-by-passed",
                    $"verified more than {context.Options.ReviewAfter.TotalDays:0} days ago, so its review-by date ({due}) has passed; re-verify the URL, or give a reviewBy in the future");
            }
        }

        var result = errors.Count == 0 ? ItemResult.Accepted : ItemResult.Rejected;
        if (result == ItemResult.Accepted && isAdd && expression is not null && context.ProtectedHosts.Covers(expression.Url.Host))
        {
            if (scope == EntryScope.Host)
            {
                Fail("scope", "protected-host", "the host is protected: only exact or path entries may be submitted, and they are held for review");
                result = ItemResult.Rejected;
            }
            else
            {
                result = ItemResult.Held;
                firstReason = "protected-host";
            }
        }

        return new SubmittedItem
        {
            Index = index,
            Result = result,
            Reason = firstReason,
            Errors = errors,
            Action = action,
            Url = url,
            Scope = scopeValid ? scopeText : null,
            Lists = lists,
            Category = category,
            Reference = reference,
            VerifiedAt = verifiedAt,
            VerifiedBy = verifiedBy,
            ReviewBy = reviewBy,
            Expression = expression?.Expression,
            EntryId = expression?.Id.Hex,
            Host = expression?.Url.Host,
        };
    }

    private static bool IsAnalystIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '@' or '-';

    private static string? ReadString(JsonElement item, string name, out string? error)
    {
        error = null;
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            error = "must be a string";
            return null;
        }

        return value.GetString();
    }

    private static List<string>? ReadStringArray(JsonElement item, string name, out string? error)
    {
        error = null;
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > 64)
        {
            error = "must be an array of strings";
            return null;
        }

        var strings = new List<string>();
        foreach (var element in value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                error = "must be an array of strings";
                return null;
            }

            strings.Add(element.GetString()!);
        }

        return strings;
    }

    private static DateTimeOffset? ReadTimestamp(JsonElement item, string name, out string? error)
    {
        var text = ReadString(item, name, out error);
        if (text is null)
        {
            return null;
        }

        // RFC 3339: a date, 'T', a time and an explicit offset; no local times.
        if (text.Length is < 20 or > 40 || text[10] is not ('T' or 't') ||
            !(text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-') ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value))
        {
            error = "must be an RFC 3339 timestamp with offset";
            return null;
        }

        return value.ToUniversalTime();
    }
}
