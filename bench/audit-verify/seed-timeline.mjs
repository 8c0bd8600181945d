// Fills a migrated database with valid timeline hash chains, fast: the hashes are computed
// in Node with Firebreak's own hashEvent (so the chains are exactly what appendTimelineEvent
// would have written) and inserted in large unnest() batches.
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const { GENESIS_HASH, hashEvent } = await import(path.join(root, "dist/core/timeline/event-hash.js"));

const BATCH = 20_000;
const ACTORS = ["U0ALICE", "U0BOB", "U0CAROL", "system", "alertmanager"];

/** Event n of a chain: the kinds and payload shapes the timeline really holds. */
function eventData(seq, incidentId) {
  switch (seq % 5) {
    case 1:
      return {
        kind: "alert.received",
        data: {
          status: "firing",
          labels: {
            severity: "critical",
            namespace: "payments",
            alertname: `HighErrorRate${incidentId % 7}`,
          },
          fingerprint: `f${(incidentId * 31 + seq).toString(16).padStart(15, "0")}`,
          startsAt: "2026-11-30T21:14:03.000Z",
        },
      };
    case 2:
      return {
        kind: "incident.note",
        data: { text: `Rolled back deploy #${seq} — error rate ↓ 2.5%`, n: seq },
      };
    case 3:
      return { kind: "incident.status", data: { from: "investigating", to: "identified", ack: true } };
    case 4:
      return {
        kind: "run.finished",
        data: { run: seq, command: "mysql-processlist", rows: [3, 1.5, null], ok: true, target: "orders-db" },
      };
    default:
      return {
        kind: "page.sent",
        data: { to: "U0BOB", via: "slack", attempt: 1, policy: "payments-primary" },
      };
  }
}

/**
 * Writes `chains` (an array of [incidentId, length]) into `pool`'s timeline_events, then
 * vacuums and analyses the table so every reader meets the same settled heap.
 */
export async function seedTimeline(pool, chains) {
  const cols = () => ({ incident: [], seq: [], at: [], actor: [], kind: [], data: [], prev: [], hash: [] });
  let batch = cols();
  let rows = 0;
  const flush = async () => {
    if (!rows) return;
    await pool.query(
      `INSERT INTO timeline_events (incident_id, seq, at, actor, kind, data, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])`,
      [batch.incident, batch.seq, batch.at, batch.actor, batch.kind, batch.data, batch.prev, batch.hash],
    );
    batch = cols();
    rows = 0;
  };
  const start = Date.UTC(2026, 0, 1);
  for (const [incidentId, length] of chains) {
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= length; seq++) {
      const { kind, data } = eventData(seq, incidentId);
      const at = new Date(start + incidentId * 3_600_000 + seq * 1_237);
      const actor = ACTORS[(incidentId + seq) % ACTORS.length];
      const hash = hashEvent({ incidentId, seq, at, actor, kind, data, prevHash });
      batch.incident.push(incidentId);
      batch.seq.push(seq);
      batch.at.push(at.toISOString());
      batch.actor.push(actor);
      batch.kind.push(kind);
      batch.data.push(JSON.stringify(data));
      batch.prev.push(prevHash);
      batch.hash.push(hash);
      prevHash = hash;
      if (++rows === BATCH) await flush();
    }
  }
  await flush();
  await pool.query("VACUUM (ANALYZE) timeline_events");
}
