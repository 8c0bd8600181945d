import type { Queryable } from "../pool.js";

/** The durable incident timers besides escalation. */
export type TimerKind = "sla_breach" | "status_update" | "postmortem";

/** A timer as stored: at most one pending per incident and kind. */
export interface TimerRow {
  id: number;
  incidentId: number;
  kind: TimerKind;
  dueAt: Date;
  status: "pending" | "fired" | "skipped" | "cancelled";
  data: Record<string, unknown>;
}

interface Row {
  id: string;
  incident_id: string;
  kind: TimerKind;
  due_at: Date;
  status: TimerRow["status"];
  data: Record<string, unknown>;
}

const toTimer = (r: Row): TimerRow => ({
  id: Number(r.id),
  incidentId: Number(r.incident_id),
  kind: r.kind,
  dueAt: r.due_at,
  status: r.status,
  data: r.data,
});

/** Sets the incident's pending timer of `kind` to `dueAt` (creating it, or moving the pending one). */
export async function setTimer(
  tx: Queryable,
  t: { incidentId: number; kind: TimerKind; dueAt: Date; data?: Record<string, unknown>; now: Date },
): Promise<TimerRow> {
  const res = await tx.query<Row>(
    `INSERT INTO incident_timers (incident_id, kind, due_at, data, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (incident_id, kind) WHERE status = 'pending'
     DO UPDATE SET due_at = EXCLUDED.due_at, data = EXCLUDED.data RETURNING *`,
    [t.incidentId, t.kind, t.dueAt, JSON.stringify(t.data ?? {}), t.now],
  );
  return toTimer(res.rows[0]!);
}

/** The pending timer of `kind`, locked for the caller's transaction. */
export async function pendingTimer(
  tx: Queryable,
  incidentId: number,
  kind: TimerKind,
): Promise<TimerRow | null> {
  const res = await tx.query<Row>(
    "SELECT * FROM incident_timers WHERE incident_id = $1 AND kind = $2 AND status = 'pending' FOR UPDATE",
    [incidentId, kind],
  );
  return res.rows[0] ? toTimer(res.rows[0]) : null;
}

export async function lockTimer(tx: Queryable, id: number): Promise<TimerRow | null> {
  const res = await tx.query<Row>("SELECT * FROM incident_timers WHERE id = $1 FOR UPDATE", [id]);
  return res.rows[0] ? toTimer(res.rows[0]) : null;
}

export async function getTimer(db: Queryable, id: number): Promise<TimerRow | null> {
  const res = await db.query<Row>("SELECT * FROM incident_timers WHERE id = $1", [id]);
  return res.rows[0] ? toTimer(res.rows[0]) : null;
}

export async function finishTimer(
  tx: Queryable,
  id: number,
  status: "fired" | "skipped" | "cancelled",
  now: Date,
): Promise<void> {
  await tx.query("UPDATE incident_timers SET status = $2, finished_at = $3 WHERE id = $1", [id, status, now]);
}

/** Cancels the incident's pending timers of these kinds. */
export async function cancelTimers(
  tx: Queryable,
  incidentId: number,
  kinds: TimerKind[],
  now: Date,
): Promise<void> {
  await tx.query(
    `UPDATE incident_timers SET status = 'cancelled', finished_at = $3
      WHERE incident_id = $1 AND kind = ANY($2) AND status = 'pending'`,
    [incidentId, kinds, now],
  );
}

/** Whether a timer of `kind` ever fired for the incident (a breach is announced once). */
export async function timerEverFired(db: Queryable, incidentId: number, kind: TimerKind): Promise<boolean> {
  const res = await db.query(
    "SELECT 1 FROM incident_timers WHERE incident_id = $1 AND kind = $2 AND status = 'fired' LIMIT 1",
    [incidentId, kind],
  );
  return (res.rowCount ?? 0) > 0;
}

export async function listDueTimers(
  db: Queryable,
  before: Date,
  limit: number,
): Promise<{ id: number; dueAt: Date }[]> {
  const res = await db.query<{ id: string; due_at: Date }>(
    "SELECT id, due_at FROM incident_timers WHERE status = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT $2",
    [before, limit],
  );
  return res.rows.map((r) => ({ id: Number(r.id), dueAt: r.due_at }));
}
