using Azure;

namespace BlocklistService.Storage.Pipeline;

/// <summary>An <see cref="AsyncPageable{T}"/> that fetches one page per continuation token until the service returns none.</summary>
internal sealed class StoragePageable<T>(
    Func<string?, int?, CancellationToken, ValueTask<Page<T>>> fetchPage,
    CancellationToken cancellationToken)
    : AsyncPageable<T>(cancellationToken)
    where T : notnull
{
    public override async IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        do
        {
            var page = await fetchPage(continuationToken, pageSizeHint, CancellationToken).ConfigureAwait(false);
            yield return page;
            continuationToken = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(continuationToken));
    }
}
