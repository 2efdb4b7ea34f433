using Azure;

namespace BlocklistService.Storage.Tables;

/// <summary>
/// A transaction the service refused as a whole (nothing was written). <see cref="FailedTransactionActionIndex"/>
/// names the action that failed, read from the "N:" prefix of the service's error message.
/// </summary>
public sealed class TableTransactionFailedException : RequestFailedException
{
    public TableTransactionFailedException(int status, string message, string? errorCode, int? failedTransactionActionIndex)
        : base(status, message, errorCode, null)
    {
        FailedTransactionActionIndex = failedTransactionActionIndex;
    }

    /// <summary>The zero-based index of the failing action in the submitted list, when the service said.</summary>
    public int? FailedTransactionActionIndex { get; }
}
