using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using BlocklistService.Cli.Service;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Cli.Audit;

/// <summary>What <c>blocklist audit bundle</c> wrote.</summary>
public sealed record AuditBundleSummary(string Path, long Start, long End, long TreeSize, int Leaves, int KeySets, bool HasConsistencyProof);

/// <summary>
/// Writes a court-ready bundle for the leaves published in a time range: the leaves of the contiguous index range that
/// holds them, the signed checkpoint at its end, an inclusion proof per leaf, the consistency proof from the checkpoint
/// at its start, the key set chain, a README and <c>verify.py</c>. Reads only auditor routes and the public key routes.
/// </summary>
public sealed class AuditBundleWriter(HttpClient http)
{
    /// <summary>Inclusion proofs requested at once (each is a few point reads on the server).</summary>
    public const int ProofConcurrency = 8;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    public async Task<AuditBundleSummary> WriteAsync(DateTimeOffset from, DateTimeOffset to, string path, IProgress<(long Done, long Total)>? progress, CancellationToken cancellationToken)
    {
        var (start, end) = await RangeAsync(from, to, cancellationToken);
        var checkpoint = await CheckpointAsync(end, cancellationToken) ?? await CheckpointAsync(null, cancellationToken)
            ?? throw new CliException("no-checkpoint", "The log has no signed checkpoint.", "Publish a version first.");
        var treeSize = checkpoint.Size;
        var leaves = await LeavesAsync(start, end, cancellationToken);
        var proofs = await InclusionProofsAsync(start, end, treeSize, progress, cancellationToken);
        CheckpointWire? startCheckpoint = null;
        BundleConsistencyProof? consistency = null;
        if (start > 0)
        {
            startCheckpoint = await CheckpointAsync(start, cancellationToken)
                ?? throw new CliException("no-checkpoint", $"The log has no signed checkpoint at size {start}, where the range starts.", "Choose a range that starts at a published version.");
            var wire = await GetAsync<ConsistencyWire>($"api/v1/audit/log/proofs/consistency?first={start}&second={treeSize}", cancellationToken);
            consistency = new BundleConsistencyProof(start, treeSize, wire.Consistency);
        }

        var keySets = await KeySetChainAsync(cancellationToken);

        var temporary = path + ".partial";
        await using (var file = File.Create(temporary))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            Add(zip, AuditBundleLayout.Manifest, JsonSerializer.SerializeToUtf8Bytes(
                new AuditBundleManifest(AuditBundleLayout.Format, from, to, start, end, treeSize, keySets.Select(k => k.Sequence).ToList()), Json));
            Add(zip, AuditBundleLayout.Leaves, Lines(leaves));
            Add(zip, AuditBundleLayout.Checkpoint, Convert.FromBase64String(checkpoint.Checkpoint));
            Add(zip, AuditBundleLayout.Signature(AuditBundleLayout.Checkpoint), Convert.FromBase64String(checkpoint.Signature));
            if (startCheckpoint is not null)
            {
                Add(zip, AuditBundleLayout.StartCheckpoint, Convert.FromBase64String(startCheckpoint.Checkpoint));
                Add(zip, AuditBundleLayout.Signature(AuditBundleLayout.StartCheckpoint), Convert.FromBase64String(startCheckpoint.Signature));
                Add(zip, AuditBundleLayout.Consistency, JsonSerializer.SerializeToUtf8Bytes(consistency, Json));
            }

            Add(zip, AuditBundleLayout.Inclusion, Lines(proofs.Select(p => JsonSerializer.SerializeToUtf8Bytes(p, Json))));
            foreach (var (sequence, document, signature) in keySets)
            {
                Add(zip, AuditBundleLayout.KeySet(sequence), document);
                Add(zip, AuditBundleLayout.Signature(AuditBundleLayout.KeySet(sequence)), signature);
            }

            Add(zip, AuditBundleLayout.Readme, Resource("bundle-README.md"));
            Add(zip, AuditBundleLayout.Script, Resource("verify.py"));
        }

        File.Move(temporary, path, overwrite: true);
        return new AuditBundleSummary(path, start, end, treeSize, leaves.Count, keySets.Count, consistency is not null);
    }

    /// <summary>[start, end): from the first to the last leaf published in [from, to), as the export route finds them.</summary>
    private async Task<(long Start, long End)> RangeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var query = $"api/v1/audit/export?format=jsonl&from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}";
        using var response = await http.GetAsync(query, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceClient.FailureAsync(response, "Finding the leaves of the range", cancellationToken);
        }

        long first = -1, last = -1;
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            using var document = JsonDocument.Parse(line);
            var index = document.RootElement.GetProperty("index").GetInt64();
            first = first < 0 ? index : Math.Min(first, index);
            last = Math.Max(last, index);
        }

        return first < 0
            ? throw new CliException("empty-range", $"No leaf was published between {from:O} and {to:O}.", "Widen --from/--to.")
            : (first, last + 1);
    }

    private async Task<List<byte[]>> LeavesAsync(long start, long end, CancellationToken cancellationToken)
    {
        var leaves = new List<byte[]>();
        for (var next = start; next < end;)
        {
            var page = await GetAsync<LeavesWire>($"api/v1/audit/log/leaves?start={next}&end={end}", cancellationToken);
            foreach (var leaf in page.Leaves)
            {
                if (leaf.Index != next)
                {
                    throw new CliException("log-gap", $"The log returned leaf {leaf.Index} where leaf {next} was expected.", "Report this to the service's operator.");
                }

                leaves.Add(Encoding.UTF8.GetBytes(leaf.Leaf));
                next++;
            }

            if (page.Leaves.Count == 0)
            {
                throw new CliException("log-gap", $"The log returned no leaves from {next}.", "Report this to the service's operator.");
            }
        }

        return leaves;
    }

    private async Task<BundleInclusionProof[]> InclusionProofsAsync(long start, long end, long treeSize, IProgress<(long, long)>? progress, CancellationToken cancellationToken)
    {
        var proofs = new BundleInclusionProof[end - start];
        long done = 0;
        await Parallel.ForEachAsync(
            LongRange(start, end), new ParallelOptions { MaxDegreeOfParallelism = ProofConcurrency, CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                var wire = await GetAsync<InclusionWire>($"api/v1/audit/log/proofs/inclusion?index={index}&size={treeSize}", ct);
                proofs[index - start] = new BundleInclusionProof(index, wire.LeafHash, wire.AuditPath);
                progress?.Report((Interlocked.Increment(ref done), end - start));
            });
        return proofs;
    }

    /// <summary>Every key set from sequence 1 to the current one, exact bytes and signatures.</summary>
    private async Task<List<(long Sequence, byte[] Document, byte[] Signature)>> KeySetChainAsync(CancellationToken cancellationToken)
    {
        var current = KeySet.FromJson(await BytesAsync("api/v1/keys", cancellationToken));
        if (!current.TryGetValue(out var set))
        {
            throw new CliException("invalid-key-set", $"The service's key set is malformed: {current.Error}", "Report this to the service's operator.");
        }

        var chain = new List<(long, byte[], byte[])>();
        for (long sequence = 1; sequence <= set.Sequence; sequence++)
        {
            chain.Add((sequence, await BytesAsync($"api/v1/keys?sequence={sequence}", cancellationToken), await BytesAsync($"api/v1/keys/signature?sequence={sequence}", cancellationToken)));
        }

        return chain;
    }

    private async Task<CheckpointWire?> CheckpointAsync(long? size, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(size is null ? "api/v1/audit/log/checkpoint" : $"api/v1/audit/log/checkpoint?size={size}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<CheckpointWire>(Json, cancellationToken))!
            : throw await ServiceClient.FailureAsync(response, "Reading a checkpoint", cancellationToken);
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!
            : throw await ServiceClient.FailureAsync(response, $"GET {path}", cancellationToken);
    }

    private async Task<byte[]> BytesAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadAsByteArrayAsync(cancellationToken)
            : throw await ServiceClient.FailureAsync(response, $"GET {path}", cancellationToken);
    }

    private static IEnumerable<long> LongRange(long start, long end)
    {
        for (var i = start; i < end; i++)
        {
            yield return i;
        }
    }

    private static byte[] Lines(IEnumerable<byte[]> lines)
    {
        using var buffer = new MemoryStream();
        foreach (var line in lines)
        {
            buffer.Write(line);
            buffer.WriteByte((byte)'\n');
        }

        return buffer.ToArray();
    }

    private static void Add(ZipArchive zip, string name, byte[] content)
    {
        // a fixed time keeps the archive's bytes a function of its contents
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static byte[] Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("BlocklistService.Cli.Audit." + name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed record CheckpointWire(long Size, string Checkpoint, string Signature);

    private sealed record ConsistencyWire(IReadOnlyList<string> Consistency);

    private sealed record InclusionWire(string LeafHash, IReadOnlyList<string> AuditPath);

    private sealed record LeafWire(long Index, string Leaf);

    private sealed record LeavesWire(long Start, long End, IReadOnlyList<LeafWire> Leaves);
}
