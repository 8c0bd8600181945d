// The floor for `firebreak audit verify`: one pg query reads every timeline row at once and
// each row's SHA-256 is recomputed with Firebreak's own hashEvent and compared. No cursor,
// no chain bookkeeping, no CLI. Prints the rows read, the mismatches and its peak RSS.
//   DATABASE_URL=… node bench/audit-verify/bare-verify.mjs
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");
const { hashEvent } = await import(path.join(root, "dist/core/timeline/event-hash.js"));

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
const { rows } = await client.query(
  "SELECT incident_id, seq, at, actor, kind, data, prev_hash, hash FROM timeline_events ORDER BY incident_id, seq",
);
await client.end();
let mismatches = 0;
for (const r of rows) {
  const hash = hashEvent({
    incidentId: Number(r.incident_id),
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    kind: r.kind,
    data: r.data,
    prevHash: r.prev_hash,
  });
  if (hash !== r.hash) mismatches++;
}
console.log(JSON.stringify({ rows: rows.length, mismatches, maxRssKb: process.resourceUsage().maxRSS }));
