using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BlocklistService.Cli.Configuration;

namespace BlocklistService.Cli.Service;

/// <summary>
/// The CLI's connection to the BlocklistService API: the base URL, the bearer API key, and the translation of
/// RFC 9457 problem responses and network failures into <see cref="CliException"/>s that say what to do.
/// </summary>
public sealed class ServiceClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    public ServiceClient(Uri baseUri, string? apiKey, HttpClient? http = null)
    {
        BaseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        ApiKey = apiKey;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
    }

    public Uri BaseUri { get; }

    public string? ApiKey { get; }

    /// <summary>A client from the settings; fails with a usage error naming the missing URL or key.</summary>
    public static ServiceClient FromSettings(CliSettings settings, bool requireKey, string verb)
    {
        var url = settings.ApiUrl.Value ?? throw CliException.Usage(
            "api-url-missing",
            $"`blocklist {verb}` needs the service's URL.",
            "Give --api-url, set BLOCKLIST_API_URL, or put \"apiUrl\" in the config file (tools/run prints it and writes it to .data/local.json).");
        if (requireKey && settings.ApiKey.Value is null)
        {
            throw CliException.Usage(
                "api-key-missing",
                $"`blocklist {verb}` needs an API key.",
                "Set BLOCKLIST_API_KEY or put \"apiKey\" in the config file (not a flag, so it stays out of process lists).");
        }

        return new ServiceClient(url, settings.ApiKey.Value);
    }

    /// <summary>
    /// A plain <see cref="HttpClient"/> on the base URL that sends the API key, for readers that take one (the audit
    /// log's reader and bundle writer); the caller disposes it.
    /// </summary>
    public HttpClient CreateHttpClient()
    {
        var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromMinutes(10) };
        if (ApiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        }

        return http;
    }

    /// <summary>An absolute URI for a path relative to the base, e.g. <c>api/v1/keys</c>.</summary>
    public Uri Resolve(string relative) => new(BaseUri, relative);

    /// <summary>Sends a request with the API key; network failures become <see cref="CliException"/> code <c>unreachable</c>.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        if (ApiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        }

        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException("unreachable", $"The service at {BaseUri} could not be reached: {e.Message}", "Check --api-url / BLOCKLIST_API_URL and the network, then try again.");
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException("timeout", $"The service at {BaseUri} did not answer in time: {e.Message}", "Try again later.");
        }
    }

    /// <summary>Sends JSON and returns the response (the caller checks the status).</summary>
    public Task<HttpResponseMessage> SendJsonAsync(HttpMethod method, string relative, object? body, CancellationToken cancellationToken, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, Resolve(relative));
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, WireJson), Encoding.UTF8, "application/json");
        }

        configure?.Invoke(request);
        return SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Sends JSON and reads the JSON answer; a failed status becomes the <see cref="CliException"/> that
    /// <see cref="FailureAsync"/> makes of it, saying <paramref name="what"/> failed.
    /// </summary>
    public async Task<JsonElement> ExchangeJsonAsync(HttpMethod method, string relative, object? body, string what, CancellationToken cancellationToken, Action<HttpRequestMessage>? configure = null)
    {
        using var response = await SendJsonAsync(method, relative, body, cancellationToken, configure);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)
            : throw await FailureAsync(response, what, cancellationToken);
    }

    /// <summary>JSON as the API speaks it: camelCase, nulls left out.</summary>
    public static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Turns a failed response into a <see cref="CliException"/>: the problem's title, detail and field errors, and a
    /// hint by status (401/403: the key; 404: the name; 409/422: the input; 5xx: try later).
    /// </summary>
    public static async Task<CliException> FailureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var detail = DescribeProblem(text) ?? (text.Length > 300 ? text[..300] : text);
        var message = $"{what} failed: HTTP {status} {response.ReasonPhrase}{(string.IsNullOrWhiteSpace(detail) ? "" : ": " + detail)}";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new CliException("unauthorized", message, "Check BLOCKLIST_API_KEY (or the config's apiKey): it is missing, mistyped or revoked."),
            HttpStatusCode.Forbidden => new CliException("forbidden", message, "This API key's role or lists do not allow it; ask the operator for a key with the right role."),
            HttpStatusCode.NotFound => new CliException("not-found", message, "Check the name or id, and that --api-url points at the service."),
            HttpStatusCode.Conflict => new CliException("conflict", message, "The request conflicts with an earlier one (e.g. an idempotency key reused with other content)."),
            HttpStatusCode.TooManyRequests => new CliException("rate-limited", message, "Wait and run the command again."),
            _ when status >= 500 => new CliException("server-error", message, "The service failed; try again later."),
            _ => new CliException("rejected", message, "Fix the request as the message says."),
        };
    }

    /// <summary>"title: detail (field: message; …)" from a problem+json body, or null if it is not one.</summary>
    public static string? DescribeProblem(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var parts = new List<string>();
            if (root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String)
            {
                parts.Add(title.GetString()!);
            }

            if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                parts.Add(detail.GetString()!);
            }

            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                var fields = errors.EnumerateObject()
                    .Select(field => $"{field.Name}: {string.Join(", ", field.Value.ValueKind == JsonValueKind.Array ? field.Value.EnumerateArray().Select(e => e.ToString()) : [field.Value.ToString()])}");
                parts.Add("(" + string.Join("; ", fields) + ")");
            }

            return parts.Count == 0 ? null : string.Join(": ", parts);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
