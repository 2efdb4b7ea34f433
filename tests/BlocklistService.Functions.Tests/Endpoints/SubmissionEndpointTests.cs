using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Domain.Publishing;

namespace BlocklistService.Functions.Tests.Endpoints;

/// <summary>The server the <see cref="SubmissionEndpointTests"/> share (every case submits as a hotline of its own).</summary>
public sealed class SubmissionServer() : SharedMemoryApi(new Dictionary<string, string?>
{
    ["Ingest:ProtectedHosts:0"] = "bigplatform.example",
    ["Ingest:MinimumVerifiersByHotline:solo-hotline"] = "1",
});

public sealed class SubmissionEndpointTests(SubmissionServer server) : IClassFixture<SubmissionServer>
{
    private readonly ApiFactory _api = server.Api;

    [Fact]
    public async Task A_batch_mixing_good_and_bad_items_journals_the_good_ones_and_rejects_the_others_with_reasons()
    {
        var (hotline, _) = await _api.ClientForAsync(Roles.Hotline, "mixed-hotline");
        var badCategory = Payloads.Add("http://c.example/x");
        badCategory["category"] = "spam";
        var body = Payloads.Body(
            Payloads.Add("http://Good.Example/a/../b?x=1"),
            Payloads.Add("ftp://files.example/x"),
            Payloads.Add("http://one-analyst.example/page", verifiedBy: ["only-me"]),
            badCategory,
            Payloads.Add("http://unknown-list.example/page", lists: ["de"]),
            Payloads.Remove("http://gone.example/p/", "path", ["eu", "uk"]));

        var response = await hotline.SendAsync(Payloads.Post(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var receipt = await response.JsonAsync();
        var id = receipt.GetProperty("submissionId").GetString()!;
        Assert.Equal($"/api/v1/submissions/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal(2, receipt.GetProperty("accepted").GetInt32());
        Assert.Equal(4, receipt.GetProperty("rejected").GetInt32());
        var items = receipt.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["accepted", "rejected", "rejected", "rejected", "rejected", "accepted"],
            items.Select(i => i.GetProperty("result").GetString()));
        Assert.Equal([null, "unsupported-scheme", "two-person-rule", "invalid-category", "unknown-list", null],
            items.Select(i => i.GetProperty("reason").GetString()));
        Assert.True(items[1].GetProperty("errors").TryGetProperty("items[1].url", out _));
        Assert.True(items[2].GetProperty("errors").TryGetProperty("items[2].verifiedBy", out _));
        Assert.True(items[4].GetProperty("errors").TryGetProperty("items[4].lists", out _));
        Assert.Equal(64, items[0].GetProperty("entryId").GetString()!.Length);

        // Durable before the answer: six item rows, a head, and pending markers for exactly the lists touched.
        var rows = await _api.RowsAsync(StorageNames.Submissions, id);
        Assert.Equal(7, rows.Count);
        var first = rows.Single(r => r.RowKey == "item-00000");
        Assert.Equal("mixed-hotline", first.GetString("Hotline"));
        Assert.Equal(DateTimeOffset.Parse(Payloads.VerifiedAt).AddDays(90), first.GetDateTimeOffset("ReviewBy"));
        Assert.Single(await _api.RowsAsync(StorageNames.Pending, "eu"), r => r.RowKey == id);
        Assert.Single(await _api.RowsAsync(StorageNames.Pending, "uk"), r => r.RowKey == id);
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_and_body_gets_the_same_answer_and_writes_nothing_new()
    {
        var (hotline, _) = await _api.ClientForAsync(Roles.Hotline, "retry-hotline");
        var body = Payloads.Body(Payloads.Add("http://retry.example/a"), Payloads.Add("bad"));

        var first = await hotline.SendAsync(Payloads.Post(body, "key-1"));
        var firstText = await first.Content.ReadAsStringAsync();
        var id = JsonDocument.Parse(firstText).RootElement.GetProperty("submissionId").GetString()!;
        var headBefore = (await _api.RowsAsync(StorageNames.Submissions, id)).Single(r => r.RowKey == "head");

        var second = await hotline.SendAsync(Payloads.Post(body, "key-1"));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(firstText, await second.Content.ReadAsStringAsync());
        var rows = await _api.RowsAsync(StorageNames.Submissions, id);
        Assert.Equal(3, rows.Count);
        Assert.Equal(headBefore.ETag, rows.Single(r => r.RowKey == "head").ETag);
        Assert.Equal(SubmissionIngest.SubmissionIdFor("retry-hotline", "key-1"), id);
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_body_is_refused_with_409()
    {
        var (hotline, _) = await _api.ClientForAsync(Roles.Hotline, "conflict-hotline");
        await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://one.example/page")), "same-key"));

        var response = await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://two.example/page")), "same-key"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        var items = await _api.RowsAsync(StorageNames.Submissions, SubmissionIngest.SubmissionIdFor("conflict-hotline", "same-key"));
        Assert.Equal("one.example/page", items.Single(r => r.RowKey == "item-00000").GetString("Expression"));
    }

    [Fact]
    public async Task Status_shows_rejected_pending_and_published_and_only_to_the_submitting_hotline()
    {
        var (hotline, _) = await _api.ClientForAsync(Roles.Hotline, "status-hotline");
        var (other, _) = await _api.ClientForAsync(Roles.Hotline, "other-hotline");
        var receipt = await (await hotline.SendAsync(Payloads.Post(Payloads.Body(
            Payloads.Add("http://status.example/a", lists: ["eu", "uk"]),
            Payloads.Add("http://status.example/b"),
            Payloads.Add("ftp://status.example/c"))))).JsonAsync();
        var id = receipt.GetProperty("submissionId").GetString()!;
        // What the publisher writes when a version carrying item 0 is committed in eu (version 7) and item 1 in eu (8).
        await _api.Rows.UpsertAsync(PublicationRows.Table,
        [
            PublicationRows.ToRow(new ItemPublication(id, 0, "eu", 7, PublicationOutcome.Applied)),
            PublicationRows.ToRow(new ItemPublication(id, 1, "eu", 8, PublicationOutcome.Applied)),
        ], CancellationToken.None);

        var status = await (await hotline.GetAsync($"/api/v1/submissions/{id}")).JsonAsync();
        var hidden = await other.GetAsync($"/api/v1/submissions/{id}");

        var items = status.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal("pending", items[0].GetProperty("state").GetString());
        var perList = items[0].GetProperty("lists").EnumerateArray().ToList();
        Assert.Equal(("eu", "published", 7L), (perList[0].GetProperty("list").GetString(), perList[0].GetProperty("state").GetString(), perList[0].GetProperty("version").GetInt64()));
        Assert.Equal(("uk", "pending"), (perList[1].GetProperty("list").GetString(), perList[1].GetProperty("state").GetString()));
        Assert.Equal("published", items[1].GetProperty("state").GetString());
        Assert.Equal(8, items[1].GetProperty("lists")[0].GetProperty("version").GetInt64());
        Assert.Equal("rejected", items[2].GetProperty("state").GetString());
        Assert.Equal("unsupported-scheme", items[2].GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync($"/api/v1/submissions/s{new string('0', 40)}")).StatusCode);
    }

    [Fact]
    public async Task Two_hotlines_backing_the_same_url_each_journal_their_own_backing()
    {
        var (first, _) = await _api.ClientForAsync(Roles.Hotline, "hotline-one");
        var (second, _) = await _api.ClientForAsync(Roles.Hotline, "hotline-two");
        var url = "http://shared.example/abuse";

        var a = await (await first.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add(url))))).JsonAsync();
        var b = await (await second.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add(url))))).JsonAsync();
        var withdraw = await (await second.SendAsync(Payloads.Post(Payloads.Body(Payloads.Remove(url))))).JsonAsync();

        var entryId = a.GetProperty("items")[0].GetProperty("entryId").GetString();
        Assert.Equal(entryId, b.GetProperty("items")[0].GetProperty("entryId").GetString());
        Assert.Equal(entryId, withdraw.GetProperty("items")[0].GetProperty("entryId").GetString());
        var backers = new List<string?>();
        foreach (var receipt in new[] { a, b, withdraw })
        {
            var row = (await _api.RowsAsync(StorageNames.Submissions, receipt.GetProperty("submissionId").GetString()!)).Single(r => r.RowKey == "item-00000");
            backers.Add($"{row.GetString("Hotline")}:{row.GetString("Action")}");
        }

        // The withdrawal names its hotline, so the publisher removes only that hotline's backing.
        Assert.Equal(["hotline-one:add", "hotline-two:add", "hotline-two:remove"], backers);
    }

    [Fact]
    public async Task Two_person_rule_and_category_are_enforced_with_a_per_hotline_override()
    {
        var (strict, _) = await _api.ClientForAsync(Roles.Hotline, "strict-hotline");
        var (solo, _) = await _api.ClientForAsync(Roles.Hotline, "solo-hotline");
        var sameAnalystTwice = Payloads.Body(Payloads.Add("http://tpr.example/page", verifiedBy: ["ana", "ANA"]));
        var oneAnalyst = Payloads.Body(Payloads.Add("http://tpr.example/page", verifiedBy: ["ana"]));

        var strictTwice = await (await strict.SendAsync(Payloads.Post(sameAnalystTwice))).JsonAsync();
        var soloOne = await (await solo.SendAsync(Payloads.Post(oneAnalyst))).JsonAsync();

        Assert.Equal("two-person-rule", strictTwice.GetProperty("items")[0].GetProperty("reason").GetString());
        Assert.Equal("accepted", soloOne.GetProperty("items")[0].GetProperty("result").GetString());
    }

    [Fact]
    public async Task Protected_hosts_refuse_host_scope_and_hold_narrower_items_until_an_admin_decides()
    {
        var (hotline, _) = await _api.ClientForAsync(Roles.Hotline, "protect-hotline");
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "operator");
        var receipt = await (await hotline.SendAsync(Payloads.Post(Payloads.Body(
            Payloads.Add("http://bigplatform.example/", "host"),
            Payloads.Add("http://cdn.BigPlatform.example/user/123/", "path", ["uk"]),
            Payloads.Add("http://bigplatform.example/v/9", "exact"),
            Payloads.Add("http://notbigplatform.example/", "host"))))).JsonAsync();
        var id = receipt.GetProperty("submissionId").GetString()!;
        var items = receipt.GetProperty("items");

        Assert.Equal(("rejected", "protected-host"), (items[0].GetProperty("result").GetString(), items[0].GetProperty("reason").GetString()));
        Assert.Equal(("held", "protected-host"), (items[1].GetProperty("result").GetString(), items[1].GetProperty("reason").GetString()));
        Assert.Equal("held", items[2].GetProperty("result").GetString());
        Assert.Equal("accepted", items[3].GetProperty("result").GetString());
        Assert.DoesNotContain(await _api.RowsAsync(StorageNames.Pending, "uk"), r => r.RowKey == id);

        var queue = await (await admin.GetAsync("/api/v1/admin/reviews")).JsonAsync();
        Assert.Equal([1, 2], queue.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("submissionId").GetString() == id).Select(i => i.GetProperty("index").GetInt32()).Order());

        var approve = await admin.PostAsync($"/api/v1/admin/reviews/{id}/items/1/approve", System.Net.Http.Json.JsonContent.Create(new { reason = "path entry checked by two admins" }));
        var reject = await admin.PostAsync($"/api/v1/admin/reviews/{id}/items/2/reject", System.Net.Http.Json.JsonContent.Create(new { reason = "the page is a news article" }));
        var again = await admin.PostAsync($"/api/v1/admin/reviews/{id}/items/3/approve", System.Net.Http.Json.JsonContent.Create(new { reason = "not held" }));

        Assert.Equal(HttpStatusCode.OK, approve.StatusCode);
        Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Single(await _api.RowsAsync(StorageNames.Pending, "uk"), r => r.RowKey == id);
        var status = await (await hotline.GetAsync($"/api/v1/submissions/{id}")).JsonAsync();
        Assert.Equal("pending", status.GetProperty("items")[1].GetProperty("state").GetString());
        Assert.Equal(("rejected", "rejected-by-review"),
            (status.GetProperty("items")[2].GetProperty("state").GetString(), status.GetProperty("items")[2].GetProperty("reason").GetString()));
        var after = await (await admin.GetAsync("/api/v1/admin/reviews")).JsonAsync();
        Assert.DoesNotContain(after.GetProperty("items").EnumerateArray(), i => i.GetProperty("submissionId").GetString() == id);
    }

    [Fact]
    public async Task Review_by_defaults_to_90_days_after_verification_and_a_given_one_is_checked()
    {
        var (hotline, _) = await _api.ClientForAsync(Roles.Hotline, "review-hotline");
        var verified = DateTimeOffset.Parse(Payloads.VerifiedAt, System.Globalization.CultureInfo.InvariantCulture);
        var explicitReview = Payloads.Add("http://review.example/a");
        explicitReview["reviewBy"] = Payloads.Timestamp(verified.AddDays(30));
        var beforeVerified = Payloads.Add("http://review.example/b");
        beforeVerified["reviewBy"] = Payloads.Timestamp(verified.AddDays(-1));
        var localTime = Payloads.Add("http://review.example/c");
        localTime["verifiedAt"] = Payloads.VerifiedAt.TrimEnd('Z');

        var receipt = await (await hotline.SendAsync(Payloads.Post(Payloads.Body(explicitReview, beforeVerified, localTime)))).JsonAsync();
        var rows = await _api.RowsAsync(StorageNames.Submissions, receipt.GetProperty("submissionId").GetString()!);

        Assert.Equal(verified.AddDays(30), rows.Single(r => r.RowKey == "item-00000").GetDateTimeOffset("ReviewBy"));
        Assert.Equal("invalid-review-by", receipt.GetProperty("items")[1].GetProperty("reason").GetString());
        Assert.Equal("invalid-verified-at", receipt.GetProperty("items")[2].GetProperty("reason").GetString());
        Assert.StartsWith("malformed: ", receipt.GetProperty("items")[2].GetProperty("errors").GetProperty("items[2].verifiedAt")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("must lie after verifiedAt", receipt.GetProperty("items")[1].GetProperty("errors").GetProperty("items[1].reviewBy")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_verification_is_refused_whether_its_review_by_date_is_given_or_derived()
    {
        var (hotline, _) = await _api.ClientForAsync(Roles.Hotline, "stale-hotline");
        var now = DateTimeOffset.UtcNow;
        var derived = Payloads.Add("http://stale.example/derived");
        derived["verifiedAt"] = Payloads.Timestamp(now.AddYears(-3));
        var given = Payloads.Add("http://stale.example/given");
        given["verifiedAt"] = Payloads.Timestamp(now.AddDays(-200));
        given["reviewBy"] = Payloads.Timestamp(now.AddDays(-10));
        var oldButReviewedAhead = Payloads.Add("http://stale.example/ahead");
        oldButReviewedAhead["verifiedAt"] = Payloads.Timestamp(now.AddDays(-200));
        oldButReviewedAhead["reviewBy"] = Payloads.Timestamp(now.AddDays(10));

        var receipt = await (await hotline.SendAsync(Payloads.Post(Payloads.Body(derived, given, oldButReviewedAhead)))).JsonAsync();
        var items = receipt.GetProperty("items");

        Assert.Equal("review-by-passed", items[0].GetProperty("reason").GetString());
        Assert.True(items[0].GetProperty("errors").TryGetProperty("items[0].verifiedAt", out _));
        Assert.Equal("review-by-passed", items[1].GetProperty("reason").GetString());
        Assert.True(items[1].GetProperty("errors").TryGetProperty("items[1].reviewBy", out _));
        Assert.Equal("accepted", items[2].GetProperty("result").GetString());
        Assert.Equal(1, receipt.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task A_batch_of_10000_items_is_journaled_and_10001_is_refused_without_a_write()
    {
        var (hotline, _) = await _api.ClientForAsync(Roles.Hotline, "bulk-hotline");

        var full = await hotline.SendAsync(Payloads.Post(Payloads.ManyAdds(10_000, "full"), "bulk-10000"));
        var over = await hotline.SendAsync(Payloads.Post(Payloads.ManyAdds(10_001, "over"), "bulk-10001"));

        Assert.Equal(HttpStatusCode.Accepted, full.StatusCode);
        Assert.Equal(10_000, (await full.JsonAsync()).GetProperty("accepted").GetInt32());
        Assert.Equal(10_001, (await _api.RowsAsync(StorageNames.Submissions, SubmissionIngest.SubmissionIdFor("bulk-hotline", "bulk-10000"))).Count);
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.True((await over.JsonAsync()).GetProperty("errors").TryGetProperty("items", out _));
        Assert.Empty(await _api.RowsAsync(StorageNames.Submissions, SubmissionIngest.SubmissionIdFor("bulk-hotline", "bulk-10001")));
        Assert.Empty(await _api.RowsAsync(StorageNames.Idempotency, "bulk-hotline") is var keys ? keys.Where(k => k.GetString("IdempotencyKey") == "bulk-10001") : []);
    }
}
