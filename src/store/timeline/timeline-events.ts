import { toJsonValue } from "../../core/timeline/canonical-json.js";
import { GENESIS_HASH, hashEvent } from "../../core/timeline/event-hash.js";
import type { StoredEvent } from "../../core/timeline/event-hash.js";
import type { Queryable } from "../pool.js";

/** Incident id of the workspace-wide chain: attempts that named no incident. */
export const WORKSPACE_CHAIN = 0;

export interface NewTimelineEvent {
  incidentId: number;
  actor: string;
  kind: string;
  data?: Record<string, unknown>;
  at: Date;
}

export type TimelineEvent = StoredEvent;

/**
 * Appends one event to an incident's chain. Call inside the transaction that makes the
 * change it records. The per-incident advisory lock serialises appenders so that each
 * event links to the one before it; the primary key would refuse a fork anyway.
 */
export async function appendTimelineEvent(tx: Queryable, e: NewTimelineEvent): Promise<TimelineEvent> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('timeline'), $1::int)", [e.incidentId]);
  const last = await tx.query<{ seq: number; hash: string }>(
    "SELECT seq, hash FROM timeline_events WHERE incident_id = $1 ORDER BY seq DESC LIMIT 1",
    [e.incidentId],
  );
  const seq = (last.rows[0]?.seq ?? 0) + 1;
  const prevHash = last.rows[0]?.hash ?? GENESIS_HASH;
  // Millisecond precision: what Postgres stores is exactly what is hashed.
  const at = new Date(Math.floor(e.at.getTime()));
  const data = toJsonValue(e.data ?? {});
  const event = { incidentId: e.incidentId, seq, at, actor: e.actor, kind: e.kind, data, prevHash };
  const hash = hashEvent(event);
  await tx.query(
    `INSERT INTO timeline_events (incident_id, seq, at, actor, kind, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.incidentId, seq, at, e.actor, e.kind, JSON.stringify(data), prevHash, hash],
  );
  return { ...event, hash };
}

interface EventRow {
  incident_id: string;
  seq: number;
  at: Date;
  actor: string;
  kind: string;
  data: unknown;
  prev_hash: string;
  hash: string;
}

const toEvent = (r: EventRow): TimelineEvent => ({
  incidentId: Number(r.incident_id),
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  kind: r.kind,
  data: r.data,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** An incident's events in order; `latest` keeps only the last N. */
export async function listTimeline(
  db: Queryable,
  incidentId: number,
  opts: { latest?: number } = {},
): Promise<TimelineEvent[]> {
  const sql = opts.latest
    ? `SELECT * FROM (SELECT * FROM timeline_events WHERE incident_id = $1 ORDER BY seq DESC LIMIT $2) t ORDER BY seq`
    : `SELECT * FROM timeline_events WHERE incident_id = $1 ORDER BY seq`;
  const res = await db.query<EventRow>(sql, opts.latest ? [incidentId, opts.latest] : [incidentId]);
  return res.rows.map(toEvent);
}
