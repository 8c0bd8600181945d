import type { Queryable } from "../pool.js";

/** A page on its way to the outbound webhook. */
export interface WebhookDelivery {
  id: number;
  pageId: number;
  incidentId: number;
  body: Record<string, unknown>;
  status: "pending" | "delivered" | "dead" | "withdrawn";
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
}

interface Row {
  id: string;
  page_id: string;
  incident_id: string;
  body: Record<string, unknown>;
  status: WebhookDelivery["status"];
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
}

const toDelivery = (r: Row): WebhookDelivery => ({
  id: Number(r.id),
  pageId: Number(r.page_id),
  incidentId: Number(r.incident_id),
  body: r.body,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
});

export async function insertDelivery(
  tx: Queryable,
  d: { pageId: number; incidentId: number; userId: string; body: Record<string, unknown>; now: Date },
): Promise<number> {
  const res = await tx.query<{ id: string }>(
    `INSERT INTO page_deliveries (page_id, incident_id, user_id, method_id, method_type, target, body,
                                  due_at, next_attempt_at, created_at)
     VALUES ($1, $2, $3, 'page_webhook', 'webhook', '', $4, $5, $5, $5) RETURNING id`,
    [d.pageId, d.incidentId, d.userId, JSON.stringify(d.body), d.now],
  );
  return Number(res.rows[0]!.id);
}

/** Locks a pending delivery; null if another worker holds it or it is finished. */
export async function lockPendingDelivery(tx: Queryable, id: number): Promise<WebhookDelivery | null> {
  const res = await tx.query<Row>(
    "SELECT * FROM page_deliveries WHERE id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED",
    [id],
  );
  return res.rows[0] ? toDelivery(res.rows[0]) : null;
}

export async function getDelivery(db: Queryable, id: number): Promise<WebhookDelivery | null> {
  const res = await db.query<Row>("SELECT * FROM page_deliveries WHERE id = $1", [id]);
  return res.rows[0] ? toDelivery(res.rows[0]) : null;
}

export async function recordAttempt(
  tx: Queryable,
  id: number,
  a: { status: WebhookDelivery["status"]; error: string | null; nextAttemptAt: Date; now: Date },
): Promise<void> {
  await tx.query(
    `UPDATE page_deliveries SET status = $2, attempts = attempts + 1, last_error = $3,
            next_attempt_at = $4, finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $5::timestamptz END
      WHERE id = $1`,
    [id, a.status, a.error, a.nextAttemptAt, a.now],
  );
}

/**
 * Withdraws a delivery not yet made, if it is an escalation page whose incident is no
 * longer waiting for someone (acknowledged, mitigated or resolved). Returns the page's
 * user when it withdrew it. Ad hoc pages always go.
 */
export async function withdrawIfAnswered(
  tx: Queryable,
  id: number,
  now: Date,
): Promise<{ state: string } | null> {
  const res = await tx.query<{ state: string }>(
    `UPDATE page_deliveries d SET status = 'withdrawn', finished_at = $2
       FROM pages p, incidents i
      WHERE d.id = $1 AND d.status = 'pending' AND p.id = d.page_id AND p.reason = 'escalation'
        AND i.id = d.incident_id AND i.state <> 'declared'
     RETURNING i.state`,
    [id, now],
  );
  return res.rows[0] ?? null;
}

export async function listDueDeliveries(
  db: Queryable,
  before: Date,
  limit: number,
): Promise<{ id: number; dueAt: Date }[]> {
  const res = await db.query<{ id: string; next_attempt_at: Date }>(
    `SELECT id, next_attempt_at FROM page_deliveries
      WHERE status = 'pending' AND method_type = 'webhook' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`,
    [before, limit],
  );
  return res.rows.map((r) => ({ id: Number(r.id), dueAt: r.next_attempt_at }));
}
