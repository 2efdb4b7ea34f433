namespace BlocklistService.Cli.Submit;

/// <summary>
/// The local record of what <c>blocklist submit</c> sent: its resume files under <c>STATE_DIR/submissions/</c>, looked
/// up by input file (its SHA-256) or by one of the submission ids a batch got. <c>blocklist status</c> reads them to
/// speak of a file's lines rather than of submission ids and item indexes.
/// </summary>
public static class UploadRecords
{
    /// <summary>The record of the latest upload of a file with this content (any batch size), or null.</summary>
    public static async Task<UploadProgress?> ForFileAsync(string stateDirectory, string fileSha256, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(stateDirectory, "submissions");
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var latest = Directory.EnumerateFiles(directory, $"{fileSha256}-b*.json")
            .Select(path => new FileInfo(path))
            .OrderByDescending(file => file.LastWriteTimeUtc)
            .FirstOrDefault();
        return latest is null ? null : await SubmissionUploader.ReadProgressAsync(latest.FullName, cancellationToken);
    }

    /// <summary>The upload and batch that produced <paramref name="submissionId"/>, or null when this machine did not send it.</summary>
    public static async Task<(UploadProgress Upload, FinishedBatch Batch)?> ForSubmissionAsync(string stateDirectory, string submissionId, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(stateDirectory, "submissions");
        if (!Directory.Exists(directory))
        {
            return null;
        }

        foreach (var path in Directory.EnumerateFiles(directory, "*-b*.json"))
        {
            if (await SubmissionUploader.ReadProgressAsync(path, cancellationToken) is { } upload &&
                upload.Batches.FirstOrDefault(b => b.SubmissionId == submissionId) is { } batch)
            {
                return (upload, batch);
            }
        }

        return null;
    }
}
