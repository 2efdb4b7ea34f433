namespace BlocklistService.Storage.Tables;

/// <summary>How an update or upsert treats properties the entity does not carry.</summary>
public enum TableUpdateMode
{
    /// <summary>Keep stored properties the entity does not name.</summary>
    Merge,

    /// <summary>Replace the stored entity with exactly this one.</summary>
    Replace,
}
