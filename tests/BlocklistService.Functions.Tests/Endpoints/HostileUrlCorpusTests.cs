using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Endpoints;

/// <summary>Every case of tests/corpus/hostile-urls.json, submitted through the API, gets the corpus's expected outcome.</summary>
public sealed class HostileUrlCorpusTests
{
    [Fact]
    public async Task Every_corpus_url_is_journaled_with_its_expression_or_rejected_with_its_code()
    {
        var corpus = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "tests", "corpus", "hostile-urls.json")))
            .RootElement.EnumerateArray().ToList();
        Assert.True(corpus.Count >= 100);
        await using var api = ApiFactory.OnMemoryStores();
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "corpus-hotline");
        var items = corpus.Select(c =>
        {
            var item = Payloads.Add("http://placeholder.example/x", c.GetProperty("scope").GetString()!);
            item["url"] = c.GetProperty("url").GetString();
            return (JsonNode)item;
        }).ToArray();

        var response = await hotline.SendAsync(Payloads.Post(Payloads.Body(items)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var results = (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        var mismatches = new List<string>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var expect = corpus[i].GetProperty("expect");
            var result = results[i];
            // a corpus host the default protected hosts cover (x.com) is held for review, with its expression all the same
            var actual = result.GetProperty("result").GetString() is "accepted" or "held"
                ? $"{result.GetProperty("expression").GetString()} {result.GetProperty("entryId").GetString()}"
                : $"rejected {result.GetProperty("reason").GetString()}";
            var expected = expect.TryGetProperty("rejected", out var code)
                ? $"rejected {code.GetString()}"
                : $"{expect.GetProperty("expression").GetString()} {expect.GetProperty("id").GetString()}";
            if (actual != expected)
            {
                mismatches.Add($"{corpus[i].GetProperty("name").GetString()}: expected {expected}, got {actual}");
            }
        }

        Assert.Empty(mismatches);
    }
}
