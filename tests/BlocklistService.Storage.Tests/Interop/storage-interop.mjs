// Reads and writes Azure Storage with the official JavaScript SDKs, so the C# client can be checked against them.
// Usage: node storage-interop.mjs <command> <args...>   (connection string in AZURE_STORAGE_CONNECTION_STRING)
//   table-write <table> <pk> <rk>     writes the fixed typed entity below
//   table-read <table> <pk> <rk>      prints the entity as {name: {value, type}} (no type conversion)
//   blob-write <container> <name>     uploads base64 BLOB_CONTENT with fixed headers
//   blob-read <container> <name>      prints content (base64), headers and ETag
//   table-bench <table> <count>       inserts <count> entities in 100-action transactions; prints {"ms": elapsed}
import { TableClient } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";

const connection = process.env.AZURE_STORAGE_CONNECTION_STRING;
if (!connection) {
  console.error("AZURE_STORAGE_CONNECTION_STRING is not set");
  process.exit(2);
}
const [command, ...args] = process.argv.slice(2);
const table = (name) => TableClient.fromConnectionString(connection, name, { allowInsecureConnection: true });
const container = (name) => BlobServiceClient.fromConnectionString(connection).getContainerClient(name);

async function main() {
  switch (command) {
    case "table-write": {
      const [name, partitionKey, rowKey] = args;
      const client = table(name);
      await client.createTable();
      await client.createEntity({
        partitionKey,
        rowKey,
        Text: "Grüße 'aus' Köln – 日本",
        Big: { value: "9007199254740993", type: "Int64" },
        Small: { value: "-17", type: "Int32" },
        Ratio: { value: "0.125", type: "Double" },
        Whole: { value: "3", type: "Double" },
        Flag: true,
        When: { value: "2024-02-29T23:59:58.1234567Z", type: "DateTime" },
        Id: { value: "0f8fad5b-d9cb-469f-a165-70867728950e", type: "Guid" },
        Bytes: new Uint8Array([0, 1, 254, 255]),
      });
      break;
    }
    case "table-read": {
      const [name, partitionKey, rowKey] = args;
      const entity = await table(name).getEntity(partitionKey, rowKey, { disableTypeConversion: true });
      const out = {};
      for (const [key, value] of Object.entries(entity)) {
        if (key === "etag" || key === "odata.metadata") continue;
        out[key] = value;
      }
      console.log(JSON.stringify(out));
      break;
    }
    case "blob-write": {
      const [name, blobName] = args;
      const client = container(name);
      await client.createIfNotExists();
      const bytes = Buffer.from(process.env.BLOB_CONTENT ?? "", "base64");
      await client.getBlockBlobClient(blobName).upload(bytes, bytes.length, {
        blobHTTPHeaders: { blobContentType: "application/json", blobContentEncoding: "gzip", blobCacheControl: "public, max-age=60" },
        conditions: { ifNoneMatch: "*" },
      });
      break;
    }
    case "blob-read": {
      const [name, blobName] = args;
      const blob = container(name).getBlobClient(blobName);
      const content = await blob.downloadToBuffer();
      const properties = await blob.getProperties();
      console.log(JSON.stringify({
        content: content.toString("base64"),
        contentType: properties.contentType,
        contentEncoding: properties.contentEncoding,
        cacheControl: properties.cacheControl,
        etag: properties.etag,
      }));
      break;
    }
    case "table-bench": {
      const [name, countText] = args;
      const count = Number(countText);
      const client = table(name);
      await client.createTable();
      const started = process.hrtime.bigint();
      for (let start = 0; start < count; start += 100) {
        const actions = [];
        for (let i = start; i < Math.min(count, start + 100); i++) {
          actions.push(["create", {
            partitionKey: `p${Math.floor(i / 100)}`,
            rowKey: String(i).padStart(8, "0"),
            Url: `https://example.org/path/${i}`,
            Count: { value: String(i), type: "Int64" },
            Listed: true,
          }]);
        }
        await client.submitTransaction(actions);
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(JSON.stringify({ ms }));
      break;
    }
    default:
      console.error(`unknown command '${command}'`);
      process.exit(2);
  }
}

main().catch((error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
