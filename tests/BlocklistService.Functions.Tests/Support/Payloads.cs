using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BlocklistService.Functions.Tests.Support;

/// <summary>Submission bodies and requests for tests.</summary>
public static class Payloads
{
    /// <summary>Yesterday (whole seconds, UTC): a verification whose default review-by date lies ahead.</summary>
    public static readonly string VerifiedAt = Timestamp(DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>An RFC 3339 UTC timestamp as a submission writes it.</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A valid add item.</summary>
    public static JsonObject Add(string url, string scope = "exact", string[]? lists = null, string[]? verifiedBy = null) => new()
    {
        ["action"] = "add",
        ["url"] = url,
        ["scope"] = scope,
        ["lists"] = new JsonArray((lists ?? ["eu"]).Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        ["category"] = "csam",
        ["reference"] = "REF-" + Math.Abs(url.GetHashCode()),
        ["verifiedAt"] = VerifiedAt,
        ["verifiedBy"] = new JsonArray((verifiedBy ?? ["analyst-a", "analyst-b"]).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
    };

    public static JsonObject Remove(string url, string scope = "exact", string[]? lists = null) => new()
    {
        ["action"] = "remove",
        ["url"] = url,
        ["scope"] = scope,
        ["lists"] = new JsonArray((lists ?? ["eu"]).Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
    };

    public static string Body(params JsonNode[] items) =>
        new JsonObject { ["items"] = new JsonArray(items.Select(i => (JsonNode?)i.DeepClone()).ToArray()) }.ToJsonString();

    public static string ManyAdds(int count, string tag) =>
        Body(Enumerable.Range(0, count).Select(i => (JsonNode)Add($"http://bulk-{tag}.example/item/{i}")).ToArray());

    public static HttpRequestMessage Post(string body, string? idempotencyKey = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/submissions")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    /// <summary>A decision's body: <c>{"reason": …}</c>.</summary>
    public static HttpContent Reason(string reason) => System.Net.Http.Json.JsonContent.Create(new { reason });

    /// <summary><c>DELETE /api/v1/admin/keys/{keyId}</c> with a reason.</summary>
    public static Task<HttpResponseMessage> RevokeKeyAsync(this HttpClient admin, string keyId, string reason = "revoked in test") =>
        admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/admin/keys/{keyId}") { Content = Reason(reason) });

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
