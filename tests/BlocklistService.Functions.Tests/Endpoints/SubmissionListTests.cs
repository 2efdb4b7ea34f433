using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Endpoints;

/// <summary>
/// What a hotline sees of its own submissions over HTTP on Azurite: the list (newest first, paged, per-state counts,
/// nobody else's) and each item's status, including items a hold rejection dropped.
/// </summary>
public sealed class SubmissionListTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_hotline_lists_only_its_own_submissions_newest_first_in_pages_with_per_state_counts()
    {
        await using var api = PublishApi.Create(storage.ConnectionString);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "list-hotline");
        var (other, _) = await api.ClientForAsync(Roles.Hotline, "other-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-list", "eu");

        var invalid = Payloads.Add("http://list.example/no-reference");
        invalid.Remove("reference");
        var first = await SubmitAsync(hotline, Payloads.Body(Payloads.Add("http://list.example/1"), Payloads.Add("http://list.example/2"), invalid), "first");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).StatusCode);
        var second = await SubmitAsync(hotline, Payloads.Body(Payloads.Add("http://list.example/3")), "second");
        var third = await SubmitAsync(hotline, Payloads.Body(Payloads.Add("http://list.example/4"), Payloads.Add("http://list.example/5")), "third");
        var retried = await SubmitAsync(hotline, Payloads.Body(Payloads.Add("http://list.example/4"), Payloads.Add("http://list.example/5")), "third");
        var theirs = await SubmitAsync(other, Payloads.Body(Payloads.Add("http://other.example/1")), "theirs");

        var page1 = await (await hotline.GetAsync("/api/v1/submissions?limit=2")).JsonAsync();
        var next = page1.GetProperty("next").GetString()!;
        var page2 = await (await hotline.GetAsync($"/api/v1/submissions?limit=2&after={Uri.EscapeDataString(next)}")).JsonAsync();
        var whole = await (await hotline.GetAsync("/api/v1/submissions")).JsonAsync();
        var otherList = await (await other.GetAsync("/api/v1/submissions")).JsonAsync();

        Assert.Equal(third, retried);
        Assert.Equal([third, second], Ids(page1));
        Assert.Equal([first], Ids(page2));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next").ValueKind);
        Assert.Equal([third, second, first], Ids(whole));
        Assert.Equal([theirs], Ids(otherList));
        var oldest = whole.GetProperty("submissions")[2];
        Assert.Equal(3, oldest.GetProperty("items").GetInt32());
        Assert.Equal(2, oldest.GetProperty("states").GetProperty("published").GetInt32());
        Assert.Equal(1, oldest.GetProperty("states").GetProperty("rejected").GetInt32());
        Assert.Equal(2, whole.GetProperty("submissions")[0].GetProperty("states").GetProperty("pending").GetInt32());

        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=101", "limit"), ("limit=two", "limit"), ("after=nonsense", "after"), ($"after={new string('9', 19)}-x", "after") })
        {
            var refused = await hotline.GetAsync($"/api/v1/submissions?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.True((await refused.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), query);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await isp.GetAsync("/api/v1/submissions")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/v1/submissions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.WithKey(null).GetAsync("/api/v1/submissions")).StatusCode);
    }

    [Fact]
    public async Task Items_a_hold_rejection_drops_say_rejected_by_hold_with_the_hold_id_and_kept_ones_stay_pending()
    {
        await using var api = PublishApi.Create(storage.ConnectionString, new Dictionary<string, string?> { ["Publishing:HoldMinimumChanges"] = "1" });
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "dropped-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");
        var submission = await SubmitAsync(hotline, Payloads.Body(Payloads.Add("http://drop.example/1"), Payloads.Add("http://drop.example/2", lists: ["eu", "uk"]),
            Payloads.Add("http://drop.example/3", lists: ["uk"])), "drop");
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"));
        var holds = await (await admin.GetAsync("/api/v1/admin/holds")).JsonAsync();
        var euHold = holds.GetProperty("holds").EnumerateArray().Single(h => h.GetProperty("list").GetString() == "eu" && h.GetProperty("status").GetString() == "held").GetProperty("id").GetString()!;
        var ukHold = holds.GetProperty("holds").EnumerateArray().Single(h => h.GetProperty("list").GetString() == "uk" && h.GetProperty("status").GetString() == "held").GetProperty("id").GetString()!;

        // eu: dropped; uk: kept pending
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(admin, euHold, new { reason = "wrong file uploaded", items = "reject" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(admin, ukHold, new { reason = "wait for the second analyst", items = "keep-pending" })).StatusCode);
        var status = await (await hotline.GetAsync($"/api/v1/submissions/{submission}")).JsonAsync();
        var list = await (await hotline.GetAsync("/api/v1/submissions")).JsonAsync();

        var onlyEu = status.GetProperty("items")[0];
        Assert.Equal(("rejected", "rejected-by-hold", euHold), (onlyEu.GetProperty("state").GetString(), onlyEu.GetProperty("reason").GetString(), onlyEu.GetProperty("hold").GetString()));
        var euList = Assert.Single(onlyEu.GetProperty("lists").EnumerateArray());
        Assert.Equal(("rejected-by-hold", euHold), (euList.GetProperty("state").GetString(), euList.GetProperty("hold").GetString()));

        // still pending for uk, so the item as a whole is pending; its eu part names the hold
        var both = status.GetProperty("items")[1];
        Assert.Equal("pending", both.GetProperty("state").GetString());
        var perList = both.GetProperty("lists").EnumerateArray().ToDictionary(l => l.GetProperty("list").GetString()!, l => l.GetProperty("state").GetString());
        Assert.Equal("rejected-by-hold", perList["eu"]);
        Assert.Equal("pending", perList["uk"]);
        var counts = Assert.Single(list.GetProperty("submissions").EnumerateArray()).GetProperty("states");
        Assert.Equal((1, 2), (counts.GetProperty("rejected").GetInt32(), counts.GetProperty("pending").GetInt32()));
    }

    [Fact]
    public async Task Retries_racing_with_one_idempotency_key_are_listed_once()
    {
        await using var api = PublishApi.Create(storage.ConnectionString);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "racing-hotline");
        var body = Payloads.Body(Payloads.Add("http://race.example/1"), Payloads.Add("http://race.example/2"));

        // each attempt writes its own index row before racing for the head; only the winner's names the submission
        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => SubmitAsync(hotline, body, "racing-key")));
        var listed = await (await hotline.GetAsync("/api/v1/submissions")).JsonAsync();

        Assert.Single(ids.Distinct());
        Assert.Equal([ids[0]], Ids(listed));
    }

    private static async Task<string> SubmitAsync(HttpClient hotline, string body, string idempotencyKey)
    {
        var response = await hotline.SendAsync(Payloads.Post(body, idempotencyKey));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("submissionId").GetString()!;
    }

    private static async Task<HttpResponseMessage> DecideAsync(HttpClient admin, string hold, object body)
    {
        var digest = (await admin.GetAsync($"/api/v1/admin/holds/{hold}")).Headers.ETag!.Tag;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/holds/{hold}/reject") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", digest);
        return await admin.SendAsync(request);
    }

    private static string[] Ids(JsonElement page) =>
        page.GetProperty("submissions").EnumerateArray().Select(s => s.GetProperty("submissionId").GetString()!).ToArray();
}
