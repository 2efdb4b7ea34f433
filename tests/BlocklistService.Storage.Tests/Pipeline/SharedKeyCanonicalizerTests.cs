using BlocklistService.Storage.Pipeline;

namespace BlocklistService.Storage.Tests.Pipeline;

/// <summary>Strings-to-sign written out by hand from the documented Shared Key rules.</summary>
public sealed class SharedKeyCanonicalizerTests
{
    private const string Account = "devstoreaccount1";
    private const string Date = "Mon, 01 Jan 2024 00:00:00 GMT";

    private static Dictionary<string, string> Headers(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Blob_list_request_signs_sorted_x_ms_headers_and_every_decoded_query_parameter()
    {
        var request = new SignedRequest(
            "GET",
            new Uri("http://127.0.0.1:10000/devstoreaccount1/artifacts?restype=container&comp=list&prefix=lists%2Feu%2F&maxresults=3"),
            Headers(("x-ms-version", "2025-01-05"), ("x-ms-date", Date), ("X-MS-Client-Request-Id", " abc "), ("Accept", "application/xml")),
            null);

        Assert.Equal(
            "GET\n\n\n\n\n\n\n\n\n\n\n\n" +
            "x-ms-client-request-id:abc\nx-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\nx-ms-version:2025-01-05\n" +
            "/devstoreaccount1/devstoreaccount1/artifacts\ncomp:list\nmaxresults:3\nprefix:lists/eu/\nrestype:container",
            SharedKeyCanonicalizer.BlobStringToSign(Account, request));
    }

    [Fact]
    public void Blob_upload_signs_length_and_conditions_in_their_positions()
    {
        var request = new SignedRequest(
            "PUT",
            new Uri("http://127.0.0.1:10000/devstoreaccount1/artifacts/lists/eu/v/7/delta.json.gz"),
            Headers(("If-None-Match", "*"), ("x-ms-blob-type", "BlockBlob"), ("x-ms-blob-content-type", "application/json"),
                ("x-ms-blob-content-encoding", "gzip"), ("x-ms-date", Date), ("x-ms-version", "2025-01-05")),
            11);

        Assert.Equal(
            "PUT\n\n\n11\n\n\n\n\n\n*\n\n\n" +
            "x-ms-blob-content-encoding:gzip\nx-ms-blob-content-type:application/json\nx-ms-blob-type:BlockBlob\n" +
            "x-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\nx-ms-version:2025-01-05\n" +
            "/devstoreaccount1/devstoreaccount1/artifacts/lists/eu/v/7/delta.json.gz",
            SharedKeyCanonicalizer.BlobStringToSign(Account, request));
    }

    [Fact]
    public void Blob_empty_body_signs_an_empty_length_and_a_date_header_only_without_x_ms_date()
    {
        var withDate = new SignedRequest("PUT", new Uri("https://a.blob.core.windows.net/c?restype=container"), Headers(("Date", Date), ("Content-Type", "text/plain"), ("Content-MD5", "md5"), ("Range", "bytes=0-9")), 0);
        Assert.Equal(
            "PUT\n\n\n\nmd5\ntext/plain\nMon, 01 Jan 2024 00:00:00 GMT\n\n\n\n\nbytes=0-9\n/a/c\nrestype:container",
            SharedKeyCanonicalizer.BlobStringToSign("a", withDate));

        var withMsDate = withDate with { Headers = Headers(("Date", Date), ("x-ms-date", Date)) };
        Assert.Equal(
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\n/a/c\nrestype:container",
            SharedKeyCanonicalizer.BlobStringToSign("a", withMsDate));
    }

    [Fact]
    public void Table_form_signs_verb_md5_type_date_and_the_path()
    {
        var request = new SignedRequest(
            "POST",
            new Uri("http://127.0.0.1:10002/devstoreaccount1/Tables"),
            Headers(("Content-Type", "application/json;odata=nometadata"), ("x-ms-date", Date), ("x-ms-version", "2019-02-02"), ("Accept", "application/json")),
            21);

        Assert.Equal(
            "POST\n\napplication/json;odata=nometadata\nMon, 01 Jan 2024 00:00:00 GMT\n/devstoreaccount1/devstoreaccount1/Tables",
            SharedKeyCanonicalizer.TableStringToSign(Account, request));
    }

    [Fact]
    public void Table_form_keeps_the_encoded_entity_path_and_only_the_comp_parameter()
    {
        var request = new SignedRequest(
            "GET",
            new Uri("https://acct.table.core.windows.net/journal(PartitionKey='a%20b',RowKey='O%27%27Brien')?$select=A&comp=acl&timeout=5"),
            Headers(("x-ms-date", Date)),
            null);

        Assert.Equal(
            "GET\n\n\nMon, 01 Jan 2024 00:00:00 GMT\n/acct/journal(PartitionKey='a%20b',RowKey='O%27%27Brien')?comp=acl",
            SharedKeyCanonicalizer.TableStringToSign("acct", request));
    }

    [Fact]
    public void Signature_is_the_base64_HMAC_SHA256_under_the_decoded_key()
    {
        // Cross-checked with: printf '<string>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<key as hex> -binary | base64
        var credential = new StorageSharedKeyCredential(Account, BlocklistService.Testing.Azurite.AccountKey);
        Assert.Equal(
            "VVEni35dYYPP+Qk8tDErfbBKYUstV8A3uqbQVnV53eM=",
            credential.ComputeSignature("POST\n\napplication/json;odata=nometadata\nMon, 01 Jan 2024 00:00:00 GMT\n/devstoreaccount1/devstoreaccount1/Tables"));
    }
}
