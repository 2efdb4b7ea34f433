using System.Collections.Concurrent;
using System.Security.Cryptography;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Sync;

/// <summary>
/// Computes the LtHash16 checksum of many ids on every core while the caller goes on reading: ids are queued in
/// batches; each worker expands them with its own SHAKE128 instance into its own 1024 lanes, and the workers' lanes
/// are added at the end (LtHash is a sum, so the partition does not change the result). Each batch also carries the
/// expressions, and a worker checks that every id is the SHA-256 of its expression, so that check runs in parallel too.
/// </summary>
public sealed class ParallelChecksum : IDisposable
{
    /// <summary>Ids per batch: large enough that queueing costs nothing next to 4096 SHAKE128 calls.</summary>
    public const int BatchSize = 4096;

    private readonly BlockingCollection<Batch> _queue;
    private readonly Thread[] _workers;
    private readonly (LtHash16 Sum, string? Problem)[] _results;
    private Batch _current = new();

    /// <summary>Starts <paramref name="workers"/> threads (default: one per core) that wait for batches.</summary>
    public ParallelChecksum(int? workers = null)
    {
        var count = Math.Max(1, workers ?? Environment.ProcessorCount);
        _queue = new BlockingCollection<Batch>(count * 4);
        _results = new (LtHash16, string?)[count];
        _workers = new Thread[count];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            _workers[i] = new Thread(() => _results[index] = Work()) { IsBackground = true, Name = "checksum-" + i };
            _workers[i].Start();
        }
    }

    /// <summary>Queues an id and the expression it must be the SHA-256 of (an empty expression skips that check); blocks while the workers are behind.</summary>
    public void Add(ReadOnlySpan<byte> id, ReadOnlySpan<byte> expression)
    {
        _current.Add(id, expression);
        if (_current.Count == BatchSize)
        {
            _queue.Add(_current);
            _current = new Batch();
        }
    }

    /// <summary>Waits for the workers and returns the checksum, and the first id that is not the hash of its expression, if any.</summary>
    public (LtHash16 Checksum, string? Problem) Complete()
    {
        if (_current.Count > 0)
        {
            _queue.Add(_current);
            _current = new Batch();
        }

        _queue.CompleteAdding();
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        var total = new LtHash16();
        foreach (var (sum, _) in _results)
        {
            total.Add(sum);
        }

        return (total, _results.Select(r => r.Problem).FirstOrDefault(p => p is not null));
    }

    /// <summary>Stops the workers (without a result when <see cref="Complete"/> was not called).</summary>
    public void Dispose()
    {
        if (!_queue.IsAddingCompleted)
        {
            _queue.CompleteAdding();
        }

        foreach (var worker in _workers)
        {
            worker.Join();
        }

        _queue.Dispose();
    }

    private (LtHash16 Sum, string? Problem) Work()
    {
        var sum = new LtHash16();
        var lanes = new ushort[LtHash16.LaneCount];
        var digest = new byte[32];
        string? problem = null;
        using var shake = new Shake128();
        foreach (var batch in _queue.GetConsumingEnumerable())
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var id = batch.Id(i);
                var expression = batch.Expression(i);
                if (expression.Length > 0 && problem is null)
                {
                    SHA256.HashData(expression, digest);
                    if (!digest.AsSpan().SequenceEqual(id))
                    {
                        problem = $"entry {Convert.ToHexStringLower(id)} is not the SHA-256 of its expression";
                    }
                }

                LtHash16.ExpandInto(shake, id, lanes);
                sum.AddExpanded(lanes);
            }
        }

        return (sum, problem);
    }

    /// <summary>Ids and expressions packed into one array each.</summary>
    private sealed class Batch
    {
        private readonly byte[] _ids = new byte[BatchSize * 32];
        private readonly int[] _ends = new int[BatchSize];
        private byte[] _expressions = new byte[BatchSize * 48];

        public int Count { get; private set; }

        public void Add(ReadOnlySpan<byte> id, ReadOnlySpan<byte> expression)
        {
            id.CopyTo(_ids.AsSpan(Count * 32));
            var start = Count == 0 ? 0 : _ends[Count - 1];
            if (start + expression.Length > _expressions.Length)
            {
                Array.Resize(ref _expressions, Math.Max(_expressions.Length * 2, start + expression.Length));
            }

            expression.CopyTo(_expressions.AsSpan(start));
            _ends[Count++] = start + expression.Length;
        }

        public ReadOnlySpan<byte> Id(int i) => _ids.AsSpan(i * 32, 32);

        public ReadOnlySpan<byte> Expression(int i)
        {
            var start = i == 0 ? 0 : _ends[i - 1];
            return _expressions.AsSpan(start, _ends[i] - start);
        }
    }
}
