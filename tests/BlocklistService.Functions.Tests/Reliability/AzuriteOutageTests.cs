using System.Diagnostics;
using System.Net;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BlocklistService.Functions.Tests.Reliability;

/// <summary>
/// The real server over HTTP on an Azurite of its own that is really taken away: killed (connections refused: the SDK
/// throws <see cref="Azure.RequestFailedException"/> with status 0) and frozen with SIGSTOP (connections accepted, no
/// answer: every try hits the network timeout and the SDK throws an <see cref="AggregateException"/> of
/// <see cref="TaskCanceledException"/>s). Both shapes must become 503 <c>storage-unavailable</c> with Retry-After
/// inside the request-path budget, with production's request-path retry policy. Once one call has failed, the
/// instance's <see cref="StorageOutageSignal"/> is set: a known key's poll of a list read before answers at once and a
/// known hotline's submission gets its 503 at once; storage that is merely slow does not set it, and it clears when
/// storage answers again. Once storage is back, a retried submission with the same Idempotency-Key is accepted exactly once.
/// </summary>
public sealed class AzuriteOutageTests(ITestOutputHelper output)
{
    /// <summary>Production's request-path policy (the test factory relaxes it for loaded machines; here it is the subject).</summary>
    private static readonly Dictionary<string, string?> ProductionRequestPath = new()
    {
        ["Storage:RequestPath:NetworkTimeout"] = StorageRetryOptions.RequestPathDefaults().NetworkTimeout.ToString(),
        ["Storage:RequestPath:MaxRetries"] = StorageRetryOptions.RequestPathDefaults().MaxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:KeyCacheTtl"] = "00:00:01",
    };

    /// <summary>The budget a request that needs storage has (issue 17).</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    public enum Fault
    {
        Killed,
        Frozen,
    }

    [Theory]
    [InlineData(Fault.Killed)]
    [InlineData(Fault.Frozen)]
    public async Task Every_storage_route_answers_503_with_Retry_After_within_the_budget_and_a_retry_lands_once(Fault fault)
    {
        var location = Path.Combine(Path.GetTempPath(), Azurite.UniqueName("outage"));
        var azurite = await Azurite.StartOwnAsync(location);
        try
        {
            await using var api = PublishApi.Create(azurite.ConnectionString, ProductionRequestPath);
            var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "outage-hotline");
            var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "outage-auditor");
            var (isp, _) = await api.ClientForAsync(Roles.Isp, "outage-isp-known", "*");
            var (_, unusedKey) = await api.ClientForAsync(Roles.Isp, "outage-isp", "eu");
            var neverSeen = api.WithKey(unusedKey.Value);

            var (admin, _) = await api.ClientForAsync(Roles.Admin, "outage-admin");
            var first = await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://outage.example/before")), "outage-before"));
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            var firstId = (await first.JsonAsync()).GetProperty("submissionId").GetString();
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish before the outage"))).StatusCode);

            // The known keys are verified once while storage answers; the other ISP key never is.
            Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/v1/audit/log/checkpoint")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await isp.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);

            var head = await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
            var signal = api.Services.GetRequiredService<StorageOutageSignal>();

            // Merely slow storage is no outage: with every cached key row and head expired, a submission and a poll that
            // wait on storage frozen for less than a try's timeout are answered as usual, and the signal stays clear.
            await Task.Delay(TimeSpan.FromMilliseconds(1100));
            azurite.Freeze();
            var slowSubmission = hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://outage.example/slow")), "outage-slow"));
            var slowPoll = isp.GetAsync("/api/v1/lists/eu/updates?since=0");
            await Task.Delay(TimeSpan.FromMilliseconds(700));
            azurite.Thaw();
            Assert.Equal(HttpStatusCode.Accepted, (await slowSubmission).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await slowPoll).StatusCode);
            Assert.False(signal.IsDown, "slow storage that answered set the outage signal");

            await BreakAsync(azurite, fault);

            // A list this instance has read, polled with a key it verified before: answered from what it holds (the key's
            // failed lookup marks the request, so the head read does not wait again) and sets the outage signal.
            var clock = Stopwatch.StartNew();
            var stale = await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
            var staleElapsed = clock.Elapsed;
            Assert.True(signal.IsDown, "a failed request-path call did not set the outage signal");

            // While the signal is set, the same poll is answered at once: no lookup waits out the retry policy (≈ 2.6 s).
            clock.Restart();
            var atOnce = await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
            var atOnceElapsed = clock.Elapsed;
            var answers = new List<(string Route, HttpResponseMessage Response, TimeSpan Elapsed)>();
            async Task TimeAsync(string route, Func<Task<HttpResponseMessage>> send)
            {
                var clock = Stopwatch.StartNew();
                var response = await send();
                answers.Add((route, response, clock.Elapsed));
            }

            await TimeAsync("submission", () => hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://outage.example/during")), "outage-during")));
            await TimeAsync("submission status", () => hotline.GetAsync($"/api/v1/submissions/{firstId}"));
            await TimeAsync("audit checkpoint", () => auditor.GetAsync("/api/v1/audit/log/checkpoint"));
            await TimeAsync("key never verified", () => neverSeen.GetAsync("/api/v1/lists/eu/updates?since=0"));
            await TimeAsync("list never read", () => isp.GetAsync("/api/v1/lists/uk/updates?since=0"));
            await TimeAsync("readiness", () => api.CreateClient().GetAsync("/api/health/ready"));
            var live = await api.CreateClient().GetAsync("/api/health");
            await RepairAsync(azurite, fault);

            // Storage answers again: the polls' background probe sees it and the signal clears.
            var recovery = Stopwatch.StartNew();
            while (signal.IsDown && recovery.Elapsed < TimeSpan.FromSeconds(10))
            {
                await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }

            output.WriteLine($"{fault}: outage signal cleared {recovery.Elapsed.TotalSeconds:0.00} s after storage was back");
            Assert.False(signal.IsDown, "the outage signal did not clear within 10 s of storage answering again");

            var timings = string.Join(", ", answers.Select(a => $"{a.Route} {(int)a.Response.StatusCode} in {a.Elapsed.TotalSeconds:0.00} s"));
            output.WriteLine($"{fault}: {timings}");
            foreach (var (route, response, elapsed) in answers)
            {
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("urn:blocklist:problem:storage-unavailable", (await response.JsonAsync()).GetProperty("type").GetString());
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"{route}: no Retry-After");
                Assert.True(elapsed < Budget, $"{route} answered too late; all: {timings}");
            }

            output.WriteLine($"{fault}: stale poll {(int)stale.StatusCode} in {staleElapsed.TotalSeconds:0.00} s; with the signal set {(int)atOnce.StatusCode} in {atOnceElapsed.TotalSeconds:0.00} s");
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal(head.Headers.ETag, stale.Headers.ETag);
            Assert.True(staleElapsed < Budget, $"the stale poll took {staleElapsed.TotalSeconds:0.00} s");
            Assert.Equal(HttpStatusCode.OK, atOnce.StatusCode);
            Assert.Equal(head.Headers.ETag, atOnce.Headers.ETag);

            // Well under one try's network timeout (1.2 s): it waited on no storage call (≈ 0.5 s is the goal; the margin
            // is for a loaded test machine).
            Assert.True(atOnceElapsed < TimeSpan.FromSeconds(1), $"with the outage signal set the poll took {atOnceElapsed.TotalSeconds:0.00} s");
            var submission = answers.Single(a => a.Route == "submission");
            Assert.True(submission.Elapsed < TimeSpan.FromSeconds(1), $"with the outage signal set the submission's 503 took {submission.Elapsed.TotalSeconds:0.00} s");
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal("unreachable", (await live.JsonAsync()).GetProperty("storage").GetProperty("status").GetString());

            // Storage is back: the refused submission, retried with its key, is accepted, and a second retry names the same submission.
            var retried = await RetryUntilAcceptedAsync(hotline, "outage-during");
            var again = await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://outage.example/during")), "outage-during"));
            Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
            Assert.Equal(retried, (await again.JsonAsync()).GetProperty("submissionId").GetString());
            var status = await (await hotline.GetAsync($"/api/v1/submissions/{retried}")).JsonAsync();
            Assert.Equal(1, status.GetProperty("items").GetArrayLength());
        }
        finally
        {
            await azurite.DisposeAsync();
            Directory.Delete(location, recursive: true);
        }
    }

    private static async Task BreakAsync(Azurite azurite, Fault fault)
    {
        if (fault == Fault.Killed)
        {
            // Azurite (not Table Storage) saves its on-disk database every 5 s; a kill sooner would lose what the
            // test wrote before it, which is Azurite's property, not the service's.
            await Task.Delay(TimeSpan.FromSeconds(6));
            await azurite.KillAsync();
        }
        else
        {
            azurite.Freeze();
        }

        // Anything cached for longer than this (keys, readiness) has expired by the time the requests go out.
        await Task.Delay(TimeSpan.FromMilliseconds(2200));
    }

    private static async Task RepairAsync(Azurite azurite, Fault fault)
    {
        if (fault == Fault.Killed)
        {
            await azurite.RestartAsync();
        }
        else
        {
            azurite.Thaw();
        }
    }

    /// <summary>What a hotline client does: the same body and Idempotency-Key after each Retry-After, until 202.</summary>
    private static async Task<string> RetryUntilAcceptedAsync(HttpClient hotline, string idempotencyKey)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var response = await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://outage.example/during")), idempotencyKey));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return (await response.JsonAsync()).GetProperty("submissionId").GetString()!;
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        throw new TimeoutException("the submission was not accepted within 20 tries after storage came back");
    }
}
