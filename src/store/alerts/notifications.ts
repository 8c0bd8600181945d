import type { Queryable } from "../pool.js";

/**
 * How a stored body is read back: Alertmanager's webhook v4, Grafana's body, a generic
 * integration's event as mapped when it was received, a heartbeat's missed or recovered beat.
 */
export type NotificationKind = "alertmanager" | "grafana" | "generic" | "heartbeat";

/** A stored notification waiting to be (or already) processed. */
export interface StoredNotification {
  id: number;
  body: string;
  receivedAt: Date;
  attempts: number;
}

/**
 * Stores a received notification; `duplicate` when the same dedup key was stored before
 * (a retry or the HA peer's copy). Throws when Postgres cannot take it.
 */
export async function insertNotification(
  db: Queryable,
  n: {
    dedupKey: string;
    groupKey: string;
    body: string;
    receivedAt: Date;
    processAfter: Date;
    /** Default `alertmanager`. */
    kind?: NotificationKind;
    /** The integration or heartbeat it came through; none for POST /alerts/alertmanager. */
    integration?: string;
  },
): Promise<{ id: number; duplicate: false } | { duplicate: true }> {
  const res = await db.query<{ id: string }>(
    `INSERT INTO alert_notifications (dedup_key, group_key, body, received_at, next_attempt_at, kind, integration)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
    [
      n.dedupKey,
      n.groupKey,
      n.body,
      n.receivedAt,
      n.processAfter,
      n.kind ?? "alertmanager",
      n.integration ?? null,
    ],
  );
  const row = res.rows[0];
  return row ? { id: Number(row.id), duplicate: false } : { duplicate: true };
}

/** Locks an unprocessed notification for the caller's transaction; null if done or taken. */
export async function lockUnprocessedNotification(
  tx: Queryable,
  id: number,
): Promise<StoredNotification | null> {
  const res = await tx.query<{ id: string; body: string; received_at: Date; attempts: number }>(
    `SELECT id, body, received_at, attempts FROM alert_notifications
      WHERE id = $1 AND processed_at IS NULL FOR UPDATE SKIP LOCKED`,
    [id],
  );
  const r = res.rows[0];
  return r ? { id: Number(r.id), body: r.body, receivedAt: r.received_at, attempts: r.attempts } : null;
}

export async function markNotificationProcessed(tx: Queryable, id: number, at: Date): Promise<void> {
  await tx.query("UPDATE alert_notifications SET processed_at = $2, last_error = NULL WHERE id = $1", [
    id,
    at,
  ]);
}

/** Records a failed attempt; the sweeper tries again after a backoff. */
export async function recordNotificationFailure(
  db: Queryable,
  id: number,
  error: string,
  retryInMs: number,
): Promise<void> {
  await db.query(
    `UPDATE alert_notifications SET attempts = attempts + 1, last_error = $2,
            next_attempt_at = now() + ($3::text || ' milliseconds')::interval
      WHERE id = $1 AND processed_at IS NULL`,
    [id, error.slice(0, 1000), Math.round(retryInMs)],
  );
}

/** Unprocessed notifications that are due (oldest first), for the sweeper. */
export async function listDueNotifications(db: Queryable, limit: number): Promise<number[]> {
  const res = await db.query<{ id: string }>(
    `SELECT id FROM alert_notifications WHERE processed_at IS NULL AND next_attempt_at <= now()
      ORDER BY id LIMIT $1`,
    [limit],
  );
  return res.rows.map((r) => Number(r.id));
}

/** A stored notification as it was received, for decoding. */
export interface ReceivedNotification {
  body: string;
  receivedAt: Date;
  kind: NotificationKind;
  integration: string | null;
}

/** A stored notification's body, when nobody has processed it yet (read without a lock). */
export async function peekUnprocessedNotification(
  db: Queryable,
  id: number,
): Promise<ReceivedNotification | null> {
  const res = await db.query<{
    body: string;
    received_at: Date;
    kind: NotificationKind;
    integration: string | null;
  }>(
    "SELECT body, received_at, kind, integration FROM alert_notifications WHERE id = $1 AND processed_at IS NULL",
    [id],
  );
  const row = res.rows[0];
  return row
    ? { body: row.body, receivedAt: row.received_at, kind: row.kind, integration: row.integration }
    : null;
}

/**
 * Whether anything may still fire for a group: its alerts were last seen firing, or a
 * notification for it is stored and not yet processed (so a resolve that follows a firing
 * event at once is never dropped as "not open").
 */
export async function groupMayBeOpen(db: Queryable, groupKey: string): Promise<boolean> {
  const res = await db.query<{ open: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM alert_groups WHERE group_key = $1 AND status = 'firing')
         OR EXISTS (SELECT 1 FROM alert_notifications WHERE group_key = $1 AND processed_at IS NULL) AS open`,
    [groupKey],
  );
  return res.rows[0]!.open;
}
