using Azure;

namespace BlocklistService.Storage;

/// <summary>A response that may carry no value (a 404 the caller asked to tolerate).</summary>
internal sealed class StorageNullableResponse<T>(T? value, Response response) : NullableResponse<T>
{
    public override bool HasValue => value is not null;

    public override T? Value => value;

    public override Response GetRawResponse() => response;
}
