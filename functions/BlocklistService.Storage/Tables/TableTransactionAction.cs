using Azure;

namespace BlocklistService.Storage.Tables;

/// <summary>What one operation of a transaction does.</summary>
public enum TableTransactionActionType
{
    /// <summary>Insert; the transaction fails if the entity exists.</summary>
    Add,

    /// <summary>Update with <see cref="TableUpdateMode.Merge"/>, guarded by the action's ETag.</summary>
    UpdateMerge,

    /// <summary>Update with <see cref="TableUpdateMode.Replace"/>, guarded by the action's ETag.</summary>
    UpdateReplace,

    /// <summary>Delete, guarded by the action's ETag (<see cref="ETag.All"/> when none is given).</summary>
    Delete,

    /// <summary>Insert or merge.</summary>
    UpsertMerge,

    /// <summary>Insert or replace.</summary>
    UpsertReplace,
}

/// <summary>One operation of a <see cref="TableClient.SubmitTransactionAsync"/> transaction.</summary>
public sealed class TableTransactionAction(TableTransactionActionType actionType, TableEntity entity, ETag etag = default)
{
    public TableTransactionActionType ActionType { get; } = actionType;

    public TableEntity Entity { get; } = entity ?? throw new ArgumentNullException(nameof(entity));

    /// <summary>The <c>If-Match</c> value for updates and deletes; default means "the entity's own ETag, else any".</summary>
    public ETag ETag { get; } = etag;
}
