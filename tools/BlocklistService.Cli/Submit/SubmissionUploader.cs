using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.State;

namespace BlocklistService.Cli.Submit;

/// <summary>
/// One item the service (or the local reader) refused: where it is in the input, why, and the record as it stood in
/// the file (<see cref="Raw"/>: CSV fields or the JSON line), so the rejects file can give it back whole.
/// </summary>
public sealed record RejectedRecord(long Line, string Url, string Code, string Message, IReadOnlyList<string>? Raw = null);

/// <summary>
/// A batch that reached the service (or held nothing to send): its submission and results. <see cref="Lines"/> maps the
/// submission's item index to the input line it came from, so <c>blocklist status FILE</c> can speak in lines.
/// </summary>
public sealed record FinishedBatch(int Index, string? SubmissionId, int Items, int Accepted, int Rejected, int Held, IReadOnlyList<RejectedRecord> Rejections, IReadOnlyList<long>? Lines = null);

/// <summary>
/// The resume file of one upload (<c>STATE_DIR/submissions/{file sha256}-b{batch size}.json</c>): which batches are
/// finished, so a re-run after an interruption sends only the rest. Batches not in it are sent again with the same
/// idempotency key, so one that reached the service before the interruption is not journaled twice.
/// </summary>
public sealed record UploadProgress(string File, string FileSha256, int BatchSize, List<FinishedBatch> Batches);

/// <summary>The outcome of an upload.</summary>
public sealed record UploadResult(
    string File,
    long Items,
    int Batches,
    int BatchesResumed,
    int Accepted,
    int Rejected,
    int Held,
    IReadOnlyList<string> Submissions,
    IReadOnlyList<RejectedRecord> Rejections,
    string? RejectsFile,
    string ProgressFile);

/// <summary>
/// Streams a CSV or JSON Lines file to <c>POST /api/v1/submissions</c> in batches. Each batch's idempotency key is the
/// SHA-256 of (file SHA-256, batch size, batch index), so the same file always produces the same keys.
/// </summary>
public sealed class SubmissionUploader(ServiceClient service, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>Idempotency key of one batch.</summary>
    public static string IdempotencyKey(string fileSha256, int batchSize, int index) =>
        "blocklist-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{fileSha256}:{batchSize}:{index}"))));

    public static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    public static string ProgressPath(string stateDirectory, string fileSha256, int batchSize) =>
        Path.Combine(stateDirectory, "submissions", string.Create(CultureInfo.InvariantCulture, $"{fileSha256}-b{batchSize}.json"));

    /// <param name="sent">Reports how many of the file's items are done (sent and answered, or refused locally).</param>
    public async Task<UploadResult> UploadAsync(string input, bool jsonLines, int batchSize, string stateDirectory, string rejectsPath, IProgress<long>? sent, CancellationToken cancellationToken)
    {
        var fileSha = await HashFileAsync(input, cancellationToken);
        var progressPath = ProgressPath(stateDirectory, fileSha, batchSize);
        var progress = await ReadProgressAsync(progressPath, cancellationToken) ?? new UploadProgress(Path.GetFullPath(input), fileSha, batchSize, []);
        var finished = progress.Batches.Select(b => b.Index).ToHashSet();
        var resumed = finished.Count;

        await using var stream = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        var batch = new List<SourceItem>(batchSize);
        var index = 0;
        long items = 0;
        IReadOnlyList<string>? columns = null;
        var duplicates = new DuplicateFinder();
        await foreach (var item in SubmissionSource.ReadAsync(reader, jsonLines, cancellationToken, header => columns = header))
        {
            items++;
            batch.Add(duplicates.Check(item));
            if (batch.Count == batchSize)
            {
                await FinishAsync(index++, batch);
                batch.Clear();
                sent?.Report(items);
            }
        }

        if (batch.Count > 0)
        {
            await FinishAsync(index++, batch);
        }

        sent?.Report(items);
        var batches = progress.Batches.OrderBy(b => b.Index).ToList();
        var rejections = batches.SelectMany(b => b.Rejections).ToList();
        string? rejectsFile = null;
        if (rejections.Count > 0)
        {
            rejectsFile = Path.GetFullPath(rejectsPath);
            await WriteRejectsAsync(rejectsFile, columns, rejections, cancellationToken);
        }

        return new UploadResult(
            input,
            items,
            index,
            resumed,
            batches.Sum(b => b.Accepted),
            batches.Sum(b => b.Rejected),
            batches.Sum(b => b.Held),
            batches.Select(b => b.SubmissionId).OfType<string>().ToList(),
            rejections,
            rejectsFile,
            progressPath);

        async Task FinishAsync(int batchIndex, List<SourceItem> records)
        {
            if (finished.Contains(batchIndex))
            {
                return;
            }

            var done = await SendAsync(batchIndex, records, fileSha, batchSize, cancellationToken);
            progress.Batches.Add(done);
            await AtomicFileWriter.WriteTextAsync(
                progressPath,
                async (writer, ct) =>
                {
                    await writer.WriteAsync(JsonSerializer.Serialize(progress, Json).AsMemory(), ct);
                    return true;
                },
                cancellationToken);
        }
    }

    private async Task<FinishedBatch> SendAsync(int index, List<SourceItem> records, string fileSha, int batchSize, CancellationToken cancellationToken)
    {
        var rejections = records.Where(r => r.Item is null).Select(r => new RejectedRecord(r.Line, r.Url ?? "", r.Code, r.Problem ?? r.Code, r.Raw)).ToList();
        var sent = records.Where(r => r.Item is not null).ToList();
        if (sent.Count == 0)
        {
            return new FinishedBatch(index, null, records.Count, 0, rejections.Count, 0, rejections, []);
        }

        var body = new JsonObject { ["items"] = new JsonArray(sent.Select(r => (JsonNode)r.Item!.DeepClone()).ToArray()) }.ToJsonString();
        var key = IdempotencyKey(fileSha, batchSize, index);
        for (var attempt = 1; ; attempt++)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, service.Resolve("api/v1/submissions"))
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Idempotency-Key", key);
            HttpResponseMessage response;
            try
            {
                response = await service.SendAsync(request, cancellationToken);
            }
            catch (CliException e) when (e.Code is "unreachable" or "timeout" && attempt < 4)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500 << (attempt - 1)), time, cancellationToken);
                continue;
            }

            using (response)
            {
                if (((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests) && attempt < 4)
                {
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromMilliseconds(500 << (attempt - 1)), time, cancellationToken);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    var failure = await ServiceClient.FailureAsync(response, $"Sending batch {index + 1} (input lines {records[0].Line}-{records[^1].Line})", cancellationToken);
                    throw new CliException(failure.Code, failure.Message, failure.Hint + " Batches already accepted are recorded; running the same command again resumes after them.", failure.ExitCode);
                }

                var receipt = await response.Content.ReadFromJsonAsync<Receipt>(Json, cancellationToken)
                    ?? throw new CliException("bad-response", "The service's answer to a submission was empty.", "Run the command again to resume.");
                foreach (var item in receipt.Items ?? [])
                {
                    if (item.Result == "rejected" && item.Index >= 0 && item.Index < sent.Count)
                    {
                        var source = sent[item.Index];
                        var message = item.Errors is { Count: > 0 } errors
                            ? string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"))
                            : item.Reason ?? "rejected";
                        rejections.Add(new RejectedRecord(source.Line, source.Url ?? "", item.Reason ?? "rejected", message, source.Raw));
                    }
                }

                return new FinishedBatch(index, receipt.SubmissionId, records.Count, receipt.Accepted, receipt.Rejected + records.Count - sent.Count, receipt.Held, rejections.OrderBy(r => r.Line).ToList(), sent.Select(r => r.Line).ToList());
            }
        }
    }

    internal static async Task<UploadProgress?> ReadProgressAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<UploadProgress>(await File.ReadAllBytesAsync(path, cancellationToken), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes the rejections as CSV: <c>rejected_line, rejected_code, rejected_message</c>, then the record as it stood
    /// in the input — a CSV input's own columns (a short row padded with empty cells), or for JSON Lines the line in an
    /// <c>item</c> column. Submit skips the <c>rejected_*</c> columns, so a fixed CSV rejects file can be sent as it is.
    /// </summary>
    private static Task WriteRejectsAsync(string path, IReadOnlyList<string>? columns, IReadOnlyList<RejectedRecord> rejections, CancellationToken cancellationToken) =>
        AtomicFileWriter.WriteTextAsync(
            path,
            async (writer, ct) =>
            {
                var original = (columns ?? ["item"]).Where(c => !SubmissionSource.RejectColumns.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
                var keep = columns is null
                    ? [0]
                    : columns.Select((c, i) => (c, i)).Where(x => !SubmissionSource.RejectColumns.Contains(x.c, StringComparer.OrdinalIgnoreCase)).Select(x => x.i).ToList();
                await writer.WriteLineAsync(string.Join(",", SubmissionSource.RejectColumns.Concat(original).Select(Csv)).AsMemory(), ct);
                foreach (var r in rejections)
                {
                    var raw = r.Raw ?? [];
                    IEnumerable<string> fields = raw.Count > (columns?.Count ?? 1)
                        ? raw // a row longer than the header: every field kept, nothing of the report lost
                        : keep.Select(i => i < raw.Count ? raw[i] : (columns is not null && columns[i].Equals("url", StringComparison.OrdinalIgnoreCase) ? r.Url : ""));
                    await writer.WriteLineAsync(
                        string.Join(",", new[] { r.Line.ToString(CultureInfo.InvariantCulture), r.Code, r.Message }.Concat(fields).Select(Csv)).AsMemory(), ct);
                }

                return true;
            },
            cancellationToken);

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    /// <summary>
    /// Flags an item that names the same entry (after canonicalization: a <c>#fragment</c> or another spelling of the
    /// URL makes no difference) with the same action as an earlier line of the file; the service would journal both.
    /// It keeps 17 bytes per item (the action and the first 128 bits of the entry id).
    /// </summary>
    private sealed class DuplicateFinder
    {
        private readonly Dictionary<(bool Add, UInt128 Id), long> _seen = [];

        public SourceItem Check(SourceItem item)
        {
            if (item.Item is not { } json ||
                json["scope"] is not JsonValue scopeValue || !scopeValue.TryGetValue<string>(out var scope) ||
                json["action"] is not JsonValue actionValue || !actionValue.TryGetValue<string>(out var action) || action is not ("add" or "remove") ||
                !BlocklistService.Domain.Entries.EntryExpression.Create(item.Url, scope).TryGetValue(out var expression))
            {
                return item; // the service says what is wrong with it
            }

            var key = (action == "add", UInt128.Parse(expression.Id.Hex.AsSpan(0, 32), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            if (_seen.TryGetValue(key, out var first))
            {
                return item with
                {
                    Item = null,
                    Code = "duplicate-in-file",
                    Problem = string.Create(CultureInfo.InvariantCulture, $"the same {action} of {expression.Expression} ({scope}) as line {first}; sent once"),
                };
            }

            _seen[key] = item.Line;
            return item;
        }
    }

    private sealed record Receipt(string SubmissionId, int Accepted, int Rejected, int Held, IReadOnlyList<ReceiptItem>? Items);

    private sealed record ReceiptItem(int Index, string Result, string? Reason, Dictionary<string, string[]>? Errors);
}
