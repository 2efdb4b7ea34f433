using BlocklistService.Functions.Stores;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Data.Tables;

namespace BlocklistService.Functions.Audit;

/// <summary>
/// The tables and containers the audit API reads: the transparency log (<c>loghead</c>, <c>logleaves</c>,
/// <c>logtiles</c>, <c>loghistory</c>), the <c>log</c> container (signed checkpoints) and the <c>artifacts</c>
/// container (signed manifests) — the publisher's storage account, read-only here.
/// </summary>
public sealed class AuditStorage(PublishStorage storage)
{
    public TableClient Table(string name) => storage.Table(name);

    public BlobContainerClient Container(string name) => storage.Container(name);
}
