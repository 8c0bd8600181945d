import { toJsonValue } from "../../core/timeline/canonical-json.js";
import { eventBodyHead, hashEvent } from "../../core/timeline/event-hash.js";
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
 * change it records. One round trip: Postgres's `timeline_append` takes the per-incident
 * advisory lock that serialises appenders, reads the chain's last link after it holds the
 * lock, and inserts the event hashed over the canonical body sent from here (the primary
 * key would refuse a fork anyway). The hash is recomputed here from what Postgres linked to
 * and the append refused if the two differ, so `audit verify` never disagrees with a write.
 */
export async function appendTimelineEvent(tx: Queryable, e: NewTimelineEvent): Promise<TimelineEvent> {
  // Millisecond precision: what Postgres stores is exactly what is hashed.
  const at = new Date(Math.floor(e.at.getTime()));
  const data = toJsonValue(e.data ?? {});
  const head = eventBodyHead({
    incidentId: e.incidentId,
    at: at.toISOString(),
    actor: e.actor,
    kind: e.kind,
    data,
  });
  const res = await tx.query<{ seq: number; prev_hash: string; hash: string }>(
    "SELECT seq, prev_hash, hash FROM timeline_append($1, $2, $3, $4, $5, $6)",
    [e.incidentId, at, e.actor, e.kind, JSON.stringify(data), head],
  );
  const { seq, prev_hash: prevHash, hash } = res.rows[0]!;
  const event = { incidentId: e.incidentId, seq, at, actor: e.actor, kind: e.kind, data, prevHash };
  const expected = hashEvent(event);
  if (hash !== expected)
    throw new Error(
      `timeline: Postgres hashed event ${e.incidentId}#${seq} as ${hash}, Firebreak as ${expected}; is the database's encoding UTF8?`,
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
