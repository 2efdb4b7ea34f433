using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Audit;

/// <summary>
/// What the audit API reads, through the storage seam: the transparency log's tables (<c>loghead</c>,
/// <c>logleaves</c>, <c>logtiles</c>, <c>loghistory</c>), the <c>log</c> container (signed checkpoints) and the
/// <c>artifacts</c> container (signed manifests) — the publisher's storage account, read-only here.
/// </summary>
public sealed class AuditStorage(IRowStore rows, IBlobStore blobs)
{
    public IRowStore Rows => rows;

    public IBlobStore Blobs => blobs;
}
