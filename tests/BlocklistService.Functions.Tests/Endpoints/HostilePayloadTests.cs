using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;

namespace BlocklistService.Functions.Tests.Endpoints;

/// <summary>The server every <see cref="HostilePayloadTests"/> case talks to, and a client with the hotline's key.</summary>
public sealed class HostilePayloadServer() : SharedMemoryApi(new Dictionary<string, string?> { ["Ingest:MaxRequestBytes"] = "1048576" })
{
    public const string Hotline = "hostile-hotline";

    public HttpClient Client { get; private set; } = null!;

    public override async Task InitializeAsync() => (Client, _) = await Api.ClientForAsync(Roles.Hotline, Hotline);
}

/// <summary>Hostile request bodies and headers: always a 4xx problem+json (or a per-item rejection), never a 500, never a partial write.</summary>
public sealed class HostilePayloadTests(HostilePayloadServer server) : IClassFixture<HostilePayloadServer>
{
    private const string Hotline = HostilePayloadServer.Hotline;
    private readonly ApiFactory _api = server.Api;
    private readonly HttpClient _client = server.Client;

    public static TheoryData<string, string, string> RefusedBodies => new()
    {
        { "not json", "{items: [", "body" },
        { "empty body", "", "body" },
        { "json null", "null", "body" },
        { "array at the top", "[]", "body" },
        { "string at the top", "\"items\"", "body" },
        { "no items", "{}", "items" },
        { "items null", "{\"items\":null}", "items" },
        { "items an object", "{\"items\":{\"0\":{}}}", "items" },
        { "items a string", "{\"items\":\"all of them\"}", "items" },
        { "no items at all", "{\"items\":[]}", "items" },
        { "duplicate top-level key", "{\"items\":[],\"items\":[]}", "items" },
        { "duplicate item key", "{\"items\":[{\"url\":\"http://a.example/\",\"url\":\"http://b.example/\"}]}", "items[0].url" },
        { "duplicate key in another case", "{\"items\":[{\"url\":\"http://a.example/\",\"URL\":\"http://b.example/\"}]}", "items[0].URL" },
        { "deep nesting", "{\"items\":[" + new string('[', 200) + new string(']', 200) + "]}", "body" },
        { "trailing garbage", "{\"items\":[]} {}", "body" },
        { "comments", "{\"items\":[] /* hi */}", "body" },
    };

    [Theory]
    [MemberData(nameof(RefusedBodies))]
    public async Task Malformed_bodies_are_refused_with_400_naming_the_field_and_nothing_is_written(string name, string body, string field)
    {
        var key = "hostile-" + name.Replace(' ', '-');
        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(Payloads.Post(body, key));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        await AssertNothingWrittenAsync(before, key);
    }

    public static TheoryData<string, string, string> LoneSurrogates
    {
        get
        {
            var data = new TheoryData<string, string, string>();
            string[] escapes = ["\\ud800", "\\udc00", "\\udbff"];
            (string Member, string Name)[] members =
            [
                ("\"url\":\"http://s.example/{0}\"", "items[0].url"),
                ("\"reference\":\"R{0}\"", "items[0].reference"),
                ("\"category\":\"{0}\"", "items[0].category"),
                ("\"action\":\"{0}\"", "items[0].action"),
                ("\"scope\":\"{0}\"", "items[0].scope"),
                ("\"verifiedAt\":\"{0}\"", "items[0].verifiedAt"),
                ("\"verifiedBy\":[\"a\",\"{0}\"]", "items[0].verifiedBy[1]"),
                ("\"lists\":[\"{0}\"]", "items[0].lists[0]"),
            ];
            foreach (var escape in escapes)
            {
                foreach (var (member, name) in members)
                {
                    data.Add(escape, string.Format(System.Globalization.CultureInfo.InvariantCulture, member, escape), name);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task A_lone_utf16_surrogate_in_any_string_is_refused_with_400_naming_the_field(string escape, string member, string field)
    {
        var key = "surrogate-" + Math.Abs((escape + field).GetHashCode());
        var body = "{\"items\":[" + SetRaw(member) + "]}";

        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(Payloads.Post(body, key));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, field);
        await AssertNothingWrittenAsync(before, key);
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_property_name_is_refused_with_400()
    {
        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(Payloads.Post("{\"items\":[{\"u\\ud800rl\":\"http://a.example/\"}]}", "surrogate-name"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "items[0]");
        await AssertNothingWrittenAsync(before, "surrogate-name");
    }

    [Fact]
    public async Task A_valid_surrogate_pair_is_ordinary_text()
    {
        var item = Payloads.Add("http://pair.example/a");
        item["reference"] = "REF-\ud83d\ude00";

        var response = await _client.SendAsync(Payloads.Post(Payloads.Body(item), "surrogate-pair"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_with_400()
    {
        var request = Payloads.Post(string.Empty, "bad-utf8");
        request.Content = new ByteArrayContent([.. "{\"items\":[\""u8, 0xC3, 0x28, .. "\"]}"u8]);
        request.Content.Headers.ContentType = new("application/json");

        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "body");
        await AssertNothingWrittenAsync(before, "bad-utf8");
    }

    [Fact]
    public async Task Ten_thousand_and_one_items_are_refused()
    {
        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(Payloads.Post("{\"items\":[" + string.Join(',', Enumerable.Repeat("{}", 10_001)) + "]}", "too-many"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "items");
        await AssertNothingWrittenAsync(before, "too-many");
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        var huge = Payloads.Body(Payloads.Add("http://big.example/" + new string('a', 2_000_000)));

        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(Payloads.Post(huge, "oversized"));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
        await AssertNothingWrittenAsync(before, "oversized");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    public async Task A_wrong_content_type_is_refused_with_415(string contentType)
    {
        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://ct.example/")), "ct-" + contentType, contentType));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
        await AssertNothingWrittenAsync(before, "ct-" + contentType);
    }

    [Theory]
    [InlineData("'or'PartitionKey'ne'")]
    [InlineData("x')or(RowKey%20ge'")]
    [InlineData("a/b\\c#d?e")]
    [InlineData("%27%20or%201%20eq%201")]
    public async Task Odata_like_idempotency_keys_are_just_opaque_keys(string key)
    {
        var body = Payloads.Body(Payloads.Add("http://odata.example/" + Uri.EscapeDataString(key)));

        var first = await _client.SendAsync(Payloads.Post(body, key));
        var second = await _client.SendAsync(Payloads.Post(body, key));
        var other = await _client.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://odata.example/other")), key));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal(2, (await _api.RowsAsync(StorageNames.Submissions, SubmissionIngest.SubmissionIdFor(Hotline, key))).Count);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("ключ")]
    public async Task Unusable_idempotency_keys_are_refused(string key)
    {
        var request = Payloads.Post(Payloads.Body(Payloads.Add("http://badkey.example/")));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Idempotency-Key");
        await AssertNothingWrittenAsync(before);
    }

    [Fact]
    public async Task An_overlong_idempotency_key_is_refused()
    {
        var before = await JournalRowsAsync();
        var response = await _client.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://longkey.example/")), new string('k', 201)));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "Idempotency-Key");
        await AssertNothingWrittenAsync(before);
    }

    [Theory]
    [InlineData("' or 1 eq 1 or PartitionKey eq '")]
    [InlineData("s0000000000000000000000000000000000000000' or '1' eq '1")]
    [InlineData("..%2F..%2Fapikeys")]
    [InlineData("head")]
    public async Task Odata_like_submission_ids_find_nothing(string id)
    {
        var response = await _client.GetAsync("/api/v1/submissions/" + Uri.EscapeDataString(id));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    public static TheoryData<string, string, string> RejectedItems => new()
    {
        { "item is a number", "42", "items[0]" },
        { "item is null", "null", "items[0]" },
        { "item is an array", "[{\"action\":\"add\"}]", "items[0]" },
        { "empty item", "{}", "items[0].action" },
        { "action a number", Item("\"action\":1"), "items[0].action" },
        { "unknown action", Item("\"action\":\"delete\""), "items[0].action" },
        { "url a number", Item("\"url\":12345"), "items[0].url" },
        { "url an object", Item("\"url\":{\"href\":\"http://a.example/\"}"), "items[0].url" },
        { "url null", Item("\"url\":null"), "items[0].url" },
        { "url empty", Item("\"url\":\"\""), "items[0].url" },
        { "url huge", Item($"\"url\":\"http://a.example/{new string('x', 5000)}\""), "items[0].url" },
        { "url javascript", Item("\"url\":\"javascript:alert(1)\""), "items[0].url" },
        { "scope unknown", Item("\"scope\":\"everything\""), "items[0].scope" },
        { "scope true", Item("\"scope\":true"), "items[0].scope" },
        { "lists a string", Item("\"lists\":\"eu\""), "items[0].lists" },
        { "lists empty", Item("\"lists\":[]"), "items[0].lists" },
        { "lists numbers", Item("\"lists\":[1,2]"), "items[0].lists" },
        { "list name invalid", Item("\"lists\":[\"EU\"]"), "items[0].lists" },
        { "list injection", Item("\"lists\":[\"eu' or '1' eq '1\"]"), "items[0].lists" },
        { "category missing", Item("\"category\":null"), "items[0].category" },
        { "category a list", Item("\"category\":[\"csam\"]"), "items[0].category" },
        { "reference huge", Item($"\"reference\":\"{new string('r', 300)}\""), "items[0].reference" },
        { "reference missing", Item("\"reference\":null"), "items[0].reference" },
        { "verifiedAt garbage", Item("\"verifiedAt\":\"yesterday\""), "items[0].verifiedAt" },
        { "verifiedAt a number", Item("\"verifiedAt\":1700000000"), "items[0].verifiedAt" },
        { "verifiedAt in the future", Item("\"verifiedAt\":\"2999-01-01T00:00:00Z\""), "items[0].verifiedAt" },
        { "verifiedBy a string", Item("\"verifiedBy\":\"a,b\""), "items[0].verifiedBy" },
        { "verifiedBy with commas", Item("\"verifiedBy\":[\"a,b\",\"c\"]"), "items[0].verifiedBy" },
        { "verifiedBy missing", Item("\"verifiedBy\":null"), "items[0].verifiedBy" },
        { "reviewBy garbage", Item("\"reviewBy\":\"soon\""), "items[0].reviewBy" },
    };

    [Theory]
    [MemberData(nameof(RejectedItems))]
    public async Task Bad_items_are_rejected_one_by_one_naming_the_field_while_good_ones_go_on(string name, string item, string field)
    {
        var good = Payloads.Add("http://good-neighbour.example/" + name.Replace(' ', '-')).ToJsonString();
        var response = await _client.SendAsync(Payloads.Post("{\"items\":[" + item + "," + good + "]}"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var items = (await response.JsonAsync()).GetProperty("items");
        Assert.Equal("rejected", items[0].GetProperty("result").GetString());
        Assert.True(items[0].GetProperty("errors").TryGetProperty(field, out _), $"{name}: {items[0]}");
        Assert.Equal("accepted", items[1].GetProperty("result").GetString());
    }

    /// <summary>A valid item with one member replaced by raw JSON text (which may hold escapes no parser would keep).</summary>
    private static string SetRaw(string member)
    {
        var name = member[1..member.IndexOf('"', 1)];
        var item = Payloads.Add("http://item.example/path");
        item.Remove(name);
        var text = item.ToJsonString();
        return text[..^1] + "," + member + "}";
    }

    private static string Item(string overrideMember)
    {
        var item = Payloads.Add("http://item.example/path");
        var patch = JsonDocument.Parse("{" + overrideMember + "}").RootElement.EnumerateObject().Single();
        item[patch.Name] = System.Text.Json.Nodes.JsonNode.Parse(patch.Value.GetRawText());
        return item.ToJsonString();
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("urn:blocklist:problem:", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    /// <summary>How many rows the hotline's submission index and idempotency partitions hold: what every accepted submission adds to.</summary>
    private async Task<(int Index, int Idempotency)> JournalRowsAsync() =>
        ((await _api.RowsAsync(StorageNames.Submissions, SubmissionRows.IndexPartition(Hotline))).Count, (await _api.RowsAsync(StorageNames.Idempotency, Hotline)).Count);

    /// <summary>
    /// The refused request wrote nothing: no submission or idempotency row of its key, and (the server being shared by
    /// the class, whose cases run one at a time) the hotline's partitions hold what they held before it.
    /// </summary>
    private async Task AssertNothingWrittenAsync((int Index, int Idempotency) before, string? idempotencyKey = null)
    {
        if (idempotencyKey is not null)
        {
            Assert.Empty(await _api.RowsAsync(StorageNames.Submissions, SubmissionIngest.SubmissionIdFor(Hotline, idempotencyKey)));
            Assert.DoesNotContain(await _api.RowsAsync(StorageNames.Idempotency, Hotline), r => r.GetString("IdempotencyKey") == idempotencyKey);
        }

        Assert.Equal(before, await JournalRowsAsync());
    }
}
