using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace BlocklistService.Bench;

/// <summary>What the soak suite broke on purpose, and when: from the fault until the server answered ready again.</summary>
public sealed class SoakTimeline
{
    /// <summary>
    /// After a fault's recovery, answers still attributed to it: a request sent just before readiness was seen, a 503
    /// from the instance's outage signal clearing on its next probe (≤ 0.25 s), a poll waiting out a Retry-After.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<SoakFault> _faults = [];
    private readonly Lock _gate = new();
    private double _startedAt;

    /// <summary>Seconds since the suite's clock started (<see cref="Restart"/>: the load phase's start).</summary>
    public double Now => _startedAt + _clock.Elapsed.TotalSeconds;

    /// <summary>
    /// Starts the clock again at <paramref name="at"/> seconds (zero: the load phase begins, and requests before it are
    /// not counted; another process's clock joins the suite's with the seconds since the suite's start).
    /// </summary>
    public void Restart(double at = 0)
    {
        _startedAt = at;
        _clock.Restart();
    }

    public SoakFault Begin(string name, SoakFaultKind kind)
    {
        var fault = new SoakFault(name, kind, Now);
        lock (_gate)
        {
            _faults.Add(fault);
        }

        return fault;
    }

    public IReadOnlyList<SoakFault> Faults
    {
        get
        {
            lock (_gate)
            {
                return [.. _faults];
            }
        }
    }

    /// <summary>True when [<paramref name="start"/>, <paramref name="end"/>] meets a fault of <paramref name="kind"/> (any when null), grace included.</summary>
    public bool During(double start, double end, SoakFaultKind? kind = null)
    {
        lock (_gate)
        {
            return _faults.Any(f => (kind is null || f.Kind == kind) && start <= (f.End ?? double.MaxValue) + Grace.TotalSeconds && end >= f.Start);
        }
    }
}

public enum SoakFaultKind
{
    /// <summary>Azurite frozen or killed: the server answers from what it holds or 503 storage-unavailable.</summary>
    Storage,

    /// <summary>The server killed: connections refused (or dropped mid-request) until it is restarted.</summary>
    Server,
}

public sealed class SoakFault(string name, SoakFaultKind kind, double start)
{
    public string Name { get; } = name;

    public SoakFaultKind Kind { get; } = kind;

    public double Start { get; } = start;

    /// <summary>When the server answered ready again (null while broken).</summary>
    public double? End { get; private set; }

    /// <summary>What was in flight when the fault was injected (server kills: a submission, a publish).</summary>
    public string Note { get; set; } = string.Empty;

    public void Recovered(double at) => End = at;
}

/// <summary>Which of the parties' requests a record is.</summary>
public enum SoakRoute
{
    Poll,
    Download,
    Submission,
    Publish,
    Other,
}

/// <summary>One request as the client saw it: when, how long, and the status or the kind of connection failure.</summary>
public sealed record SoakRequest(SoakRoute Route, double Start, double End, int Status, string? Failure, string? ProblemType)
{
    public double Milliseconds => (End - Start) * 1000;
}

/// <summary>
/// Every request of every simulated party (ISPs, hotlines, the admin), timed and classified by route, with the
/// submissions and publishes in flight counted (the server kills aim at them).
/// </summary>
public sealed class SoakTraffic(SoakTimeline timeline, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentQueue<SoakRequest> _requests = new();
    private int _submissionsInFlight;
    private int _publishesInFlight;

    public int SubmissionsInFlight => Volatile.Read(ref _submissionsInFlight);

    public int PublishesInFlight => Volatile.Read(ref _publishesInFlight);

    public IReadOnlyCollection<SoakRequest> Requests => _requests;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var route = RouteOf(request);
        Count(route, +1);

        var start = timeline.Now;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            string? problem = null;
            if ((int)response.StatusCode >= 400 && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                problem = ProblemType(await response.Content.ReadAsStringAsync(cancellationToken));
            }

            _requests.Enqueue(new SoakRequest(route, start, timeline.Now, (int)response.StatusCode, null, problem));
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _requests.Enqueue(new SoakRequest(route, start, timeline.Now, 0, FailureOf(e), null));
            throw;
        }
        finally
        {
            Count(route, -1);
        }
    }

    private void Count(SoakRoute route, int by)
    {
        if (route == SoakRoute.Submission)
        {
            Interlocked.Add(ref _submissionsInFlight, by);
        }
        else if (route == SoakRoute.Publish)
        {
            Interlocked.Add(ref _publishesInFlight, by);
        }
    }

    /// <summary><c>refused</c> (nothing listening), <c>timeout</c>, or <c>dropped</c> (the connection died mid-request).</summary>
    public static string FailureOf(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return "refused";
            }
        }

        return e is TaskCanceledException ? "timeout" : "dropped";
    }

    private static SoakRoute RouteOf(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        return request.Method == HttpMethod.Get && path.EndsWith("/updates", StringComparison.Ordinal) ? SoakRoute.Poll
            : request.Method == HttpMethod.Get && path.Contains("/artifacts/", StringComparison.Ordinal) ? SoakRoute.Download
            : request.Method == HttpMethod.Post && path == "/api/v1/submissions" ? SoakRoute.Submission
            : request.Method == HttpMethod.Post && path == "/api/v1/admin/publish" ? SoakRoute.Publish
            : SoakRoute.Other;
    }

    private static string? ProblemType(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("type", out var type) ? type.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Every request sorted into what was meant and what was not. Meant: answers (2xx, 304), deliberate throttling (429),
/// <c>503 storage-unavailable</c> while a fault was on, a refused connection while the server was down, a request
/// dropped by a server kill. Everything else (any other 4xx or 5xx, a connection failure outside a server fault) is an
/// error, and there must be none.
/// </summary>
public sealed class SoakClassification
{
    private SoakClassification()
    {
    }

    public int Answered { get; private init; }

    public int Throttled { get; private init; }

    public int UnavailableDuringFaults { get; private init; }

    public int RefusedWhileServerDown { get; private init; }

    public int DroppedByKills { get; private init; }

    /// <summary>Unexpected outcomes, grouped: "poll 500", "submission dropped outside a fault", …</summary>
    public IReadOnlyDictionary<string, int> Errors { get; private init; } = new Dictionary<string, int>();

    public static SoakClassification Of(IEnumerable<SoakRequest> requests, SoakTimeline timeline)
    {
        int answered = 0, throttled = 0, unavailable = 0, refused = 0, dropped = 0;
        var errors = new Dictionary<string, int>();
        foreach (var r in requests)
        {
            var name = r.Route.ToString().ToLowerInvariant();
            switch (r)
            {
                case { Failure: null, Status: >= 200 and < 400 }:
                    answered++;
                    break;
                case { Failure: null, Status: 429 }:
                    throttled++;
                    break;
                case { Failure: null, Status: 503, ProblemType: "urn:blocklist:problem:storage-unavailable" } when timeline.During(r.Start, r.End):
                    unavailable++;
                    break;
                case { Failure: "refused" } when timeline.During(r.Start, r.End, SoakFaultKind.Server):
                    refused++;
                    break;
                case { Failure: "dropped" or "timeout" } when timeline.During(r.Start, r.End, SoakFaultKind.Server):
                    dropped++;
                    break;
                default:
                    var key = r.Failure is { } failure ? $"{name} {failure} outside a server fault" : $"{name} {r.Status} {r.ProblemType}".TrimEnd();
                    errors[key] = errors.GetValueOrDefault(key) + 1;
                    break;
            }
        }

        return new SoakClassification
        {
            Answered = answered,
            Throttled = throttled,
            UnavailableDuringFaults = unavailable,
            RefusedWhileServerDown = refused,
            DroppedByKills = dropped,
            Errors = errors,
        };
    }
}

/// <summary>Poll latency percentiles over a set of polls.</summary>
public sealed record SoakLatency(int Count, double P50, double P95, double P99, double Max)
{
    public static SoakLatency Of(IEnumerable<SoakRequest> polls) => Of(polls.Select(p => p.Milliseconds));

    public static SoakLatency Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        double At(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return new SoakLatency(sorted.Length, At(0.50), At(0.95), At(0.99), sorted.Length == 0 ? 0 : sorted[^1]);
    }
}

/// <summary>
/// Poll times as the server measured them: ASP.NET Core's "Request finished" event in the server's JSON log (its UTC
/// timestamp and elapsed milliseconds, from the request's arrival to its response), placed on the suite's clock. A stall
/// of the suite's own process (its CPU shared with a thousand ISPs' sync work, its GC) does not count as the service's
/// latency here.
/// </summary>
public static class SoakServerLog
{
    /// <summary>
    /// The entries of one server log (ASP.NET Core's JSON console format) whose line passes <paramref name="worthParsing"/>
    /// (a cheap text test before the JSON parse): when (UTC), the message, and its state. A line cut off by a SIGKILL is
    /// skipped.
    /// </summary>
    public static IEnumerable<(DateTimeOffset At, string Message, JsonElement State)> Entries(string path, Func<string, bool> worthParsing)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (!worthParsing(line) || Parse(line) is not { } entry)
            {
                continue;
            }

            yield return entry;
        }
    }

    /// <summary>The polls in every server log of the run, placed on the suite's clock (started at <paramref name="origin"/>).</summary>
    public static IReadOnlyList<SoakRequest> Polls(string directory, DateTimeOffset origin)
    {
        var polls = new List<SoakRequest>();
        var finished = Directory.EnumerateFiles(directory, "server-*.log")
            .SelectMany(path => Entries(path, line => line.Contains("Request finished", StringComparison.Ordinal) && line.Contains("/updates", StringComparison.Ordinal)));
        foreach (var (at, _, state) in finished)
        {
            if (state.TryGetProperty("Path", out var path) && path.GetString()?.EndsWith("/updates", StringComparison.Ordinal) == true &&
                state.TryGetProperty("ElapsedMilliseconds", out var elapsed))
            {
                var end = (at - origin).TotalSeconds;
                var milliseconds = elapsed.ValueKind == JsonValueKind.Number ? elapsed.GetDouble() : double.Parse(elapsed.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                var status = state.TryGetProperty("StatusCode", out var code) && code.ValueKind == JsonValueKind.Number ? code.GetInt32() : 0;
                polls.Add(new SoakRequest(SoakRoute.Poll, end - (milliseconds / 1000), end, status, null, null));
            }
        }

        return polls;
    }

    private static (DateTimeOffset, string, JsonElement)? Parse(string line)
    {
        try
        {
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            return (DateTimeOffset.Parse(root.GetProperty("Timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                root.TryGetProperty("Message", out var message) ? message.GetString() ?? string.Empty : string.Empty,
                root.TryGetProperty("State", out var state) ? state.Clone() : default);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}

/// <summary>A gate the writers (hotlines, the publish loop) pass before each request; closed while the suite needs them quiet.</summary>
public sealed class SoakGate
{
    private volatile TaskCompletionSource _open = Opened();

    public Task WaitOpenAsync(CancellationToken cancellationToken) => _open.Task.WaitAsync(cancellationToken);

    public void Close() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Open() => _open.TrySetResult();

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
