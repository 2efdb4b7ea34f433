using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Exports;

/// <summary>
/// An export whose file is a fixed header, then one group of lines per written entry in ascending order of a key,
/// then an optional footer: such a file is brought to a new version by a streaming merge of the old file with the
/// change (<see cref="ExportMerge"/>), with the same bytes as writing it from scratch. The exporter says how it keys,
/// counts and writes an entry; its <see cref="IListExporter.WriteAsync"/> uses the same pieces.
/// </summary>
public interface IMergeableExporter : IListExporter
{
    /// <summary>Lines before the first group (a format's header has a fixed number of lines).</summary>
    int HeaderLines { get; }

    /// <summary>The footer line that ends the groups, if the format has one (e.g. <c>]}</c>).</summary>
    string? Footer { get; }

    /// <summary>What ends every group line but the last one's (e.g. <c>,</c> in JSON); null when nothing does.</summary>
    string? Separator { get; }

    /// <summary>The key an entry is written under, or null with the reason it is left out.</summary>
    string? KeyOf(ListEntry entry, out string? skipReason);

    /// <summary>The lines written for an entry, each ending in "\n", without <see cref="Separator"/>.</summary>
    string GroupText(ListEntry entry, string key);

    /// <summary>The key of a line of the file (its group's key), as UTF-8; empty when the line is no group line.</summary>
    ReadOnlySpan<byte> LineKey(ReadOnlySpan<byte> line);

    /// <summary>The header for a version and what it holds (the same text <see cref="IListExporter.WriteAsync"/> writes).</summary>
    string Header(ListName list, long version, ExportSummary summary);
}
