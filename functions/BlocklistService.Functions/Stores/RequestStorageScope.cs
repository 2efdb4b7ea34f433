using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// One HTTP request's view of storage: once a storage call made for the request has failed as unavailable (every try
/// spent, see <see cref="StorageFailures"/>), later calls of the same request fail at once instead of spending the
/// request-path retry policy again. Without it a request that first falls back past a failed read (a key verified
/// before the outage, a stale list head) and then needs storage again would wait for two full retry sequences and
/// miss the request's 5 s budget. Outside a request (the publisher, start-up, background work) it does not stop calls.
/// Every call's outcome, inside a request or not, is recorded in the instance's <see cref="StorageOutageSignal"/>.
/// </summary>
public sealed class RequestStorageScope(StorageOutageSignal outage) : HttpPipelinePolicy
{
    private static readonly AsyncLocal<Failure?> Current = new();

    /// <summary>
    /// Starts the scope of the current request; it lasts for the async flow that called it (middleware), so it ends
    /// with the request.
    /// </summary>
    public static void Begin() => Current.Value = new Failure();

    /// <summary>
    /// Marks the current request as having met unavailable storage without a call of its own (it was answered from what
    /// the instance holds because <see cref="StorageOutageSignal.IsDown"/>): its later storage calls fail at once.
    /// </summary>
    public static void MarkUnavailable(string why)
    {
        if (Current.Value is { } scope)
        {
            scope.What = why;
        }
    }

    /// <summary>
    /// Starts work shared by several requests (one read many wait for, a background probe) outside the current
    /// request's scope: a storage failure met by the request that happened to start it must not fail it for the others.
    /// </summary>
    public static Task<T> Detached<T>(Func<Task<T>> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(work);
        }
    }

    /// <inheritdoc cref="Detached{T}(Func{Task{T}})"/>
    public static Task Detached(Func<Task> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(work);
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: false).AsTask().GetAwaiter().GetResult();

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline, async: true);

    private async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline, bool async)
    {
        var scope = Current.Value;
        if (scope?.What is { } earlier)
        {
            // status 0, like a refused connection: StorageFailures maps it to 503 storage-unavailable
            throw new RequestFailedException(0, $"storage already failed for this request ({earlier}); not tried again");
        }

        try
        {
            if (async)
            {
                await ProcessNextAsync(message, pipeline);
            }
            else
            {
                ProcessNext(message, pipeline);
            }
        }
        catch (Exception e) when (StorageFailures.IsUnavailable(e, message.CancellationToken))
        {
            var what = e.GetType().Name;
            outage.RecordUnavailable(what);
            scope?.What = what;
            throw;
        }

        if (!message.HasResponse)
        {
            return;
        }

        if (StorageFailures.IsUnavailableStatus(message.Response.Status))
        {
            var what = $"status {message.Response.Status}";
            outage.RecordUnavailable(what);
            scope?.What = what;
        }
        else
        {
            outage.RecordAnswered();
        }
    }

    /// <summary>The first failure of the request, if any (shared by the calls it makes concurrently).</summary>
    private sealed class Failure
    {
        private volatile string? _what;

        public string? What
        {
            get => _what;
            set => _what ??= value;
        }
    }
}
