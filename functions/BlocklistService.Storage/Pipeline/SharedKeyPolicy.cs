using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;

namespace BlocklistService.Storage.Pipeline;

/// <summary>Which Shared Key string-to-sign a service expects.</summary>
internal enum SharedKeyForm
{
    Blob,
    Table,
}

/// <summary>
/// Signs every attempt (it runs per retry, so each attempt gets a fresh <c>x-ms-date</c>) with
/// <c>Authorization: SharedKey account:signature</c>.
/// </summary>
internal sealed class SharedKeyPolicy(StorageSharedKeyCredential credential, SharedKeyForm form, TimeProvider time)
    : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", time.GetUtcNow().ToString("R", CultureInfo.InvariantCulture));
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Name] = header.Value;
        }

        long? length = request.Content is not null && request.Content.TryComputeLength(out var computed) ? computed : null;
        var signed = new SignedRequest(request.Method.Method, request.Uri.ToUri(), headers, length);
        var stringToSign = form == SharedKeyForm.Blob
            ? SharedKeyCanonicalizer.BlobStringToSign(credential.AccountName, signed)
            : SharedKeyCanonicalizer.TableStringToSign(credential.AccountName, signed);
        request.Headers.SetValue("Authorization", $"SharedKey {credential.AccountName}:{credential.ComputeSignature(stringToSign)}");
    }
}
