using BlocklistService.Cli.State;

namespace BlocklistService.Cli.Exports;

/// <summary>
/// Writes one list state in one filter format. A format may have several parts (Squid: domains and URLs); the
/// caller opens one writer per part, in <see cref="Parts"/> order, and replaces the files atomically afterwards.
/// Output is deterministic: the same state gives the same bytes.
/// </summary>
public interface IListExporter
{
    ExportFormat Format { get; }

    /// <summary>The parts and their default file names, e.g. <c>blocklist.rpz</c>.</summary>
    IReadOnlyList<ExportPart> Parts { get; }

    Task<ExportSummary> WriteAsync(LocalListState state, IReadOnlyList<TextWriter> writers, CancellationToken cancellationToken);
}

/// <summary>One output file of an export: a short key (e.g. <c>urls</c>) and its default file name.</summary>
public sealed record ExportPart(string Key, string DefaultFileName);
