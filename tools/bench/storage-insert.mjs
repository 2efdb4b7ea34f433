// The JavaScript side of the storage-insert benchmark: inserts <count> entities through the official
// @azure/data-tables SDK in 100-action transactions, one partition each, one in flight, and prints {"ms": elapsed}.
// Usage: node storage-insert.mjs <table> <count>   (connection string in AZURE_STORAGE_CONNECTION_STRING)
import { TableClient } from "@azure/data-tables";

const connection = process.env.AZURE_STORAGE_CONNECTION_STRING;
if (!connection) {
  console.error("AZURE_STORAGE_CONNECTION_STRING is not set");
  process.exit(2);
}

const [name, countText] = process.argv.slice(2);
const count = Number(countText);
const client = TableClient.fromConnectionString(connection, name, { allowInsecureConnection: true });
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
console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - started) / 1e6 }));
