using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Cli.Tests.Submit;

/// <summary>
/// <c>blocklist submit</c> over HTTP against a Kestrel endpoint that journals by Idempotency-Key the way the service
/// does (same key: the stored answer) and rejects items it cannot accept: batching, per-item rejections with their
/// input lines, and resuming after an interruption without sending a finished batch again.
/// </summary>
public sealed class SubmitTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _home = TestStates.TempDirectory();
    private readonly ConcurrentDictionary<string, string> _journal = new();
    private readonly List<(string Key, int Items)> _requests = [];
    private readonly List<string> _bodies = [];
    private WebApplication _app = null!;
    private Uri _baseUri = null!;

    /// <summary>When set, requests for this batch (by item count seen so far) fail with 503 without journaling.</summary>
    private int? _failAfterItems;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/api/v1/submissions", async (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization != "Bearer hotline-key")
            {
                return Results.Problem(statusCode: 401, title: "Unauthorized");
            }

            var key = context.Request.Headers["Idempotency-Key"].ToString();
            var text = await new StreamReader(context.Request.Body).ReadToEndAsync();
            using var body = JsonDocument.Parse(text);
            var items = body.RootElement.GetProperty("items").EnumerateArray().ToList();
            lock (_requests)
            {
                _requests.Add((key, items.Count));
                _bodies.Add(text);
                if (_failAfterItems is { } limit && _journal.Count > 0 && _requests.Count > 1 && !_journal.ContainsKey(key) && _journal.Count * 1 >= limit)
                {
                    return Results.Problem(statusCode: 503, title: "Unavailable", detail: "storage is down");
                }
            }

            var answer = _journal.GetOrAdd(key, _ =>
            {
                var results = items.Select((item, index) =>
                {
                    var url = item.GetProperty("url").GetString()!;
                    return url.Contains("not-a-url", StringComparison.Ordinal)
                        ? (object)new { index, result = "rejected", reason = "invalid-url", errors = new Dictionary<string, string[]> { [$"items[{index}].url"] = ["is not an http(s) URL"] } }
                        : new { index, result = "accepted", entryId = new string('0', 64) };
                }).ToList();
                var rejected = results.Count(r => JsonSerializer.Serialize(r).Contains("rejected"));
                return JsonSerializer.Serialize(new { submissionId = "s" + Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(key))), received = DateTimeOffset.UtcNow, accepted = results.Count - rejected, rejected, held = 0, items = results });
            });
            return Results.Text(answer, "application/json", statusCode: 202);
        });
        await _app.StartAsync();
        _baseUri = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _home.Dispose();
    }

    [Fact]
    public async Task A_csv_is_sent_in_batches_and_rejections_are_reported_with_their_lines()
    {
        var input = await WriteCsvAsync(2500, badEvery: 1000);

        var run = await SubmitAsync(input);

        Assert.Equal(1, run.ExitCode);
        var json = run.Json();
        Assert.Equal(2500, json.GetProperty("items").GetInt64());
        Assert.Equal(3, json.GetProperty("batches").GetInt32());
        Assert.Equal(3, json.GetProperty("rejected").GetInt32());
        Assert.Equal([1000, 1000, 500], _requests.Select(r => r.Items).ToArray());
        Assert.Equal(3, _requests.Select(r => r.Key).Distinct().Count());
        var rejects = await File.ReadAllLinesAsync(input + ".rejects.csv");
        Assert.Equal("rejected_line,rejected_code,rejected_message,action,url,scope,lists,category,reference,verifiedAt,verifiedBy", rejects[0]);
        Assert.Equal("2,invalid-url,items[0].url: is not an http(s) URL,add,https://not-a-url-0.example/,exact,eu;uk,csam,\"REF-0, checked\",2026-11-21T15:30:00Z,analyst-7", rejects[1]);
        Assert.StartsWith("1002,invalid-url,", rejects[2]);
        Assert.EndsWith(",add,https://not-a-url-1000.example/,exact,eu;uk,csam,\"REF-1000, checked\",2026-11-21T15:30:00Z,analyst-7", rejects[2]);
    }

    [Fact]
    public async Task An_interrupted_upload_resumes_with_the_same_keys_and_skips_finished_batches()
    {
        var input = await WriteCsvAsync(2500, badEvery: 0);
        _failAfterItems = 1;

        var first = await SubmitAsync(input);
        Assert.Equal(1, first.ExitCode);
        Assert.Equal("server-error", first.Json().GetProperty("error").GetProperty("code").GetString());
        var firstKey = _requests[0].Key;
        var failedKey = _requests[^1].Key;

        _failAfterItems = null;
        _requests.Clear();
        var second = await SubmitAsync(input);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain(_requests, r => r.Key == firstKey);
        Assert.Equal(failedKey, _requests[0].Key);
        Assert.Equal(2, _requests.Count);
        Assert.Equal(1, second.Json().GetProperty("batchesResumed").GetInt32());
        Assert.Equal(2500, second.Json().GetProperty("accepted").GetInt32());
        Assert.Equal(3, _journal.Count);
    }

    [Fact]
    public async Task Json_lines_with_an_unreadable_line_send_the_rest_and_report_the_line()
    {
        var input = _home.File("items.jsonl");
        await File.WriteAllLinesAsync(input, [
            """{"action":"add","url":"https://a.example/x","scope":"exact","lists":["eu"],"category":"csam"}""",
            """{"action":"add","url": oops""",
            """{"action":"add","url":"https://b.example/","scope":"host","lists":["eu"],"category":"csam"}""",
        ]);

        var run = await SubmitAsync(input);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, _requests.Single().Items);
        var rejects = await File.ReadAllLinesAsync(input + ".rejects.csv");
        Assert.Equal("rejected_line,rejected_code,rejected_message,item", rejects[0]);
        Assert.StartsWith("2,unreadable,", rejects[1]);
        Assert.EndsWith(",\"{\"\"action\"\":\"\"add\"\",\"\"url\"\": oops\"", rejects[1]);
    }

    [Fact]
    public async Task A_rejects_file_keeps_the_original_columns_and_the_url_of_a_short_row_and_can_be_sent_again_once_fixed()
    {
        var input = _home.File("short.csv");
        await File.WriteAllTextAsync(input, """
            reference,url,action,scope,lists,category,verifiedAt,verifiedBy
            R-1,https://fine.example/a,add,exact,eu,csam,2026-11-21T15:30:00Z,a1;a2
            R-2,https://short.example/b,add,exact
            R-3,https://not-a-url-3.example/c,add,exact,eu,csam,2026-11-21T15:30:00Z,a1;a2

            """);

        var run = await SubmitAsync(input);

        Assert.Equal(1, run.ExitCode);
        var rejects = await File.ReadAllLinesAsync(input + ".rejects.csv");
        Assert.Equal("rejected_line,rejected_code,rejected_message,reference,url,action,scope,lists,category,verifiedAt,verifiedBy", rejects[0]);
        Assert.Equal("3,unreadable,\"the row has 4 fields, the header 8\",R-2,https://short.example/b,add,exact,,,,", rejects[1]);
        Assert.Equal("4,invalid-url,items[1].url: is not an http(s) URL,R-3,https://not-a-url-3.example/c,add,exact,eu,csam,2026-11-21T15:30:00Z,a1;a2", rejects[2]);
        Assert.Equal("https://short.example/b", run.Json().GetProperty("rejections")[0].GetProperty("url").GetString());

        // the analyst fixes both rows in the rejects file and sends it as it is: the rejected_* columns are skipped
        var fixedFile = _home.File("short-fixed.csv");
        await File.WriteAllLinesAsync(fixedFile, [
            rejects[0],
            "3,unreadable,x,R-2,https://short.example/b,add,exact,eu,csam,2026-11-21T15:30:00Z,a1;a2",
            "4,invalid-url,x,R-3,https://fixed.example/c,add,exact,eu,csam,2026-11-21T15:30:00Z,a1;a2",
        ]);
        _requests.Clear();
        var again = await SubmitAsync(fixedFile);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(2, again.Json().GetProperty("accepted").GetInt32());
        Assert.Equal(2, _requests.Single().Items);
        Assert.DoesNotContain("rejected_", _bodies[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_entry_twice_in_a_file_is_sent_once_and_the_repeat_is_reported_with_the_first_line()
    {
        var input = _home.File("twice.csv");
        await File.WriteAllTextAsync(input, """
            action,url,scope,lists,category,reference,verifiedAt,verifiedBy
            add,https://twice.example/page,exact,eu,csam,R-1,2026-11-21T15:30:00Z,a1;a2
            add,https://TWICE.example/page#top,exact,eu,csam,R-2,2026-11-21T15:30:00Z,a1;a2
            add,https://twice.example/other/,path,eu,csam,R-3,2026-11-21T15:30:00Z,a1;a2
            remove,https://twice.example/page,exact,eu,,,,

            """);

        var run = await SubmitAsync(input);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(3, _requests.Single().Items);
        var rejection = Assert.Single(run.Json().GetProperty("rejections").EnumerateArray());
        Assert.Equal(3, rejection.GetProperty("line").GetInt64());
        Assert.Equal("duplicate-in-file", rejection.GetProperty("code").GetString());
        Assert.Contains("as line 2", rejection.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_without_an_api_key_is_a_usage_error()
    {
        var input = await WriteCsvAsync(1, badEvery: 100);
        var run = await CliRun.RunAsync(_home.Path, null, "submit", input, "--api-url", _baseUri.ToString(), "--state-dir", _home.File("state"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("BLOCKLIST_API_KEY", run.Error);
    }

    private Task<CliRun> SubmitAsync(string input) =>
        CliRun.RunAsync(
            _home.Path,
            new Dictionary<string, string> { ["BLOCKLIST_API_KEY"] = "hotline-key" },
            "submit", input, "--api-url", _baseUri.ToString(), "--state-dir", _home.File("state"), "--json");

    private async Task<string> WriteCsvAsync(int rows, int badEvery)
    {
        var path = _home.File($"reports-{rows}.csv");
        await using var writer = new StreamWriter(path);
        await writer.WriteLineAsync("action,url,scope,lists,category,reference,verifiedAt,verifiedBy");
        for (var i = 0; i < rows; i++)
        {
            var url = badEvery > 0 && i % badEvery == 0 ? $"https://not-a-url-{i}.example/" : $"https://host{i}.example/page";
            await writer.WriteLineAsync($"add,{url},exact,eu;uk,csam,\"REF-{i}, checked\",2026-11-21T15:30:00Z,analyst-7");
        }

        return path;
    }
}
