using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using BlocklistService.Storage.Pipeline;

namespace BlocklistService.Storage.Tables;

/// <summary>
/// The <c>multipart/mixed</c> body of an entity group transaction (Table REST "Performing entity group
/// transactions"): one batch holding one changeset with one HTTP request per action, and the parser for the
/// service's answer.
/// </summary>
internal static class TableTransactionBody
{
    public const int MaxActions = 100;

    /// <summary>The request body for <paramref name="actions"/> against the table at <paramref name="tableUri"/>.</summary>
    public static string Build(Uri tableUri, IReadOnlyList<TableTransactionAction> actions, string batchBoundary, string changesetBoundary)
    {
        var text = new StringBuilder();
        text.Append("--").Append(batchBoundary).Append("\r\n");
        text.Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append("\r\n\r\n");
        for (var index = 0; index < actions.Count; index++)
        {
            var action = actions[index];
            var entity = action.Entity;
            var (method, uri, ifMatch, body) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", tableUri.AbsoluteUri, null, true),
                TableTransactionActionType.UpsertMerge => ("MERGE", TableClient.EntityUri(tableUri, entity.PartitionKey, entity.RowKey).AbsoluteUri, null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", TableClient.EntityUri(tableUri, entity.PartitionKey, entity.RowKey).AbsoluteUri, null, true),
                TableTransactionActionType.UpdateMerge => ("MERGE", TableClient.EntityUri(tableUri, entity.PartitionKey, entity.RowKey).AbsoluteUri, IfMatch(action), true),
                TableTransactionActionType.UpdateReplace => ("PUT", TableClient.EntityUri(tableUri, entity.PartitionKey, entity.RowKey).AbsoluteUri, IfMatch(action), true),
                TableTransactionActionType.Delete => ("DELETE", TableClient.EntityUri(tableUri, entity.PartitionKey, entity.RowKey).AbsoluteUri, IfMatch(action), false),
                _ => throw new ArgumentException($"Unknown action type {action.ActionType} at index {index}.", nameof(actions)),
            };

            text.Append("--").Append(changesetBoundary).Append("\r\n");
            text.Append("Content-Type: application/http\r\n");
            text.Append("Content-Transfer-Encoding: binary\r\n\r\n");
            text.Append(method).Append(' ').Append(uri).Append(" HTTP/1.1\r\n");
            text.Append("Accept: application/json;odata=minimalmetadata\r\n");
            text.Append("DataServiceVersion: 3.0\r\n");
            if (ifMatch is not null)
            {
                text.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            }

            if (body)
            {
                text.Append("Content-Type: application/json\r\n");
                if (method == "POST")
                {
                    text.Append("Prefer: return-no-content\r\n");
                }

                text.Append("\r\n").Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append("\r\n");
            }
            else
            {
                text.Append("\r\n");
            }
        }

        text.Append("--").Append(changesetBoundary).Append("--\r\n");
        text.Append("--").Append(batchBoundary).Append("--\r\n");
        return text.ToString();
    }

    /// <summary>The per-action responses of a transaction answer; throws <see cref="TableTransactionFailedException"/> when one failed.</summary>
    public static IReadOnlyList<Response> ParseResponse(string body, int actionCount)
    {
        var parts = new List<TransactionPartResponse>();
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("HTTP/1.1 ", StringComparison.Ordinal))
            {
                continue;
            }

            var statusLine = lines[i].Split(' ', 3);
            var status = int.Parse(statusLine[1], CultureInfo.InvariantCulture);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (i++; i < lines.Length && lines[i].Length > 0; i++)
            {
                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[lines[i][..colon].Trim()] = lines[i][(colon + 1)..].Trim();
                }
            }

            var content = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].StartsWith("--", StringComparison.Ordinal); i++)
            {
                content.Append(lines[i]).Append('\n');
            }

            i--;
            parts.Add(new TransactionPartResponse(status, statusLine.Length > 2 ? statusLine[2] : string.Empty, headers, content.ToString().Trim()));
        }

        var failed = parts.FirstOrDefault(p => p.Status >= 400);
        if (failed is not null)
        {
            throw Failure(failed, actionCount);
        }

        if (parts.Count != actionCount)
        {
            throw new RequestFailedException($"The transaction answer holds {parts.Count} responses for {actionCount} actions.");
        }

        return parts;
    }

    private static TableTransactionFailedException Failure(TransactionPartResponse part, int actionCount)
    {
        var (code, message) = StorageErrorParser.ParseBody(BinaryData.FromString(part.Body));
        message ??= part.Body;
        int? index = null;
        var colon = message.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && int.TryParse(message.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed < actionCount)
        {
            index = parsed;
        }
        else if (actionCount == 1)
        {
            index = 0;
        }

        var text = $"The transaction failed{(index is null ? string.Empty : $" at action {index}")}: {part.Status} {part.ReasonPhrase} ({code ?? "no error code"}): {message}";
        return new TableTransactionFailedException(part.Status, text, code, index);
    }

    private static string IfMatch(TableTransactionAction action)
    {
        var etag = action.ETag != default ? action.ETag : action.Entity.ETag != default ? action.Entity.ETag : ETag.All;
        return etag.ToString("H");
    }

    /// <summary>One action's answer inside a transaction response.</summary>
    private sealed class TransactionPartResponse(int status, string reason, Dictionary<string, string> headers, string body) : Response
    {
        public string Body { get; } = body;

        public override int Status { get; } = status;

        public override string ReasonPhrase { get; } = reason;

        public override Stream? ContentStream { get; set; } = new MemoryStream(Encoding.UTF8.GetBytes(body));

        public override string ClientRequestId { get; set; } = string.Empty;

        public override void Dispose()
        {
        }

        protected override bool ContainsHeader(string name) => headers.ContainsKey(name);

        protected override IEnumerable<HttpHeader> EnumerateHeaders() => headers.Select(h => new HttpHeader(h.Key, h.Value));

        protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => headers.TryGetValue(name, out value);

        protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
        {
            values = headers.TryGetValue(name, out var value) ? [value] : null;
            return values is not null;
        }
    }
}
