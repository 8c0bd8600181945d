import type { Queryable } from "../pool.js";

/** A Slack Web API call waiting to be made. */
export interface OutboxCall {
  /** Web API method (`chat.postMessage`), or `response_url` to post to a slash command's response URL. */
  method: string;
  args?: Record<string, unknown>;
  /** Handler that renders args at send time and/or continues after success (see OutboxHandler). */
  kind?: string;
  context?: Record<string, unknown>;
  incidentId?: number | null;
  /** Calls sharing a key go out in order and are paced together (usually one per channel). */
  channelKey: string;
  /** While a call with this key is pending, enqueueing another with the same key does nothing. */
  coalesceKey?: string;
  notBefore?: Date;
}

export interface OutboxRow {
  id: number;
  kind: string;
  method: string;
  args: Record<string, unknown>;
  context: Record<string, unknown>;
  incidentId: number | null;
  channelKey: string;
  attempts: number;
}

/**
 * Enqueues in the caller's transaction: the call exists exactly when the change that needs
 * it commits. With a coalesce key, a pending call with that key absorbs this one — but a
 * pending call the drainer is sending right now was rendered before this change: DO UPDATE
 * waits for the drainer's row lock, and once that call is done the insert goes ahead, so
 * the change gets a call of its own.
 */
export async function enqueueSlackCall(tx: Queryable, call: OutboxCall): Promise<number | null> {
  const res = await tx.query<{ id: string }>(
    `INSERT INTO slack_outbox (kind, method, args, context, incident_id, channel_key, coalesce_key, not_before)
     VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, now()))
     ON CONFLICT (coalesce_key) WHERE status = 'pending' AND coalesce_key IS NOT NULL
     DO UPDATE SET not_before = LEAST(slack_outbox.not_before, EXCLUDED.not_before)
     RETURNING id`,
    [
      call.kind ?? "raw",
      call.method,
      JSON.stringify(call.args ?? {}),
      JSON.stringify(call.context ?? {}),
      call.incidentId ?? null,
      call.channelKey,
      call.coalesceKey ?? null,
      call.notBefore ?? null,
    ],
  );
  await tx.query("SELECT pg_notify('slack_outbox', '')");
  return res.rows[0] ? Number(res.rows[0].id) : null;
}

/** Pending calls that may go now: due, and first in line for their channel key. */
export async function listDueCalls(
  db: Queryable,
  limit: number,
): Promise<{ id: number; method: string; channelKey: string }[]> {
  const res = await db.query<{ id: string; method: string; channel_key: string }>(
    `SELECT o.id, o.method, o.channel_key FROM slack_outbox o
      WHERE o.status = 'pending' AND o.not_before <= now()
        AND NOT EXISTS (SELECT 1 FROM slack_outbox p
                         WHERE p.channel_key = o.channel_key AND p.status = 'pending' AND p.id < o.id)
      ORDER BY o.id LIMIT $1`,
    [limit],
  );
  return res.rows.map((r) => ({ id: Number(r.id), method: r.method, channelKey: r.channel_key }));
}

/** Milliseconds until the next pending call is due (null when none is pending). */
export async function msUntilNextDue(db: Queryable): Promise<number | null> {
  const res = await db.query<{ ms: string | null }>(
    "SELECT EXTRACT(EPOCH FROM (min(not_before) - now())) * 1000 AS ms FROM slack_outbox WHERE status = 'pending'",
  );
  const ms = res.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
}

/** Locks one pending call for the caller's transaction; null if another drainer has it or it is gone. */
export async function lockCall(tx: Queryable, id: number): Promise<OutboxRow | null> {
  const res = await tx.query<{
    id: string;
    kind: string;
    method: string;
    args: Record<string, unknown>;
    context: Record<string, unknown>;
    incident_id: string | null;
    channel_key: string;
    attempts: number;
  }>("SELECT * FROM slack_outbox WHERE id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED", [id]);
  const r = res.rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    kind: r.kind,
    method: r.method,
    args: r.args,
    context: r.context,
    incidentId: r.incident_id === null ? null : Number(r.incident_id),
    channelKey: r.channel_key,
    attempts: r.attempts,
  };
}

export async function finishCall(
  tx: Queryable,
  id: number,
  status: "done" | "failed" | "skipped",
  fields: { result?: unknown; error?: string; args?: Record<string, unknown> },
): Promise<void> {
  await tx.query(
    `UPDATE slack_outbox SET status = $2, result = $3, last_error = $4, args = COALESCE($5, args),
            attempts = attempts + 1, done_at = now() WHERE id = $1`,
    [
      id,
      status,
      fields.result === undefined ? null : JSON.stringify(fields.result),
      fields.error ?? null,
      fields.args ? JSON.stringify(fields.args) : null,
    ],
  );
}

export async function retryCallLater(
  tx: Queryable,
  id: number,
  delayMs: number,
  error: string,
  context?: Record<string, unknown>,
): Promise<void> {
  await tx.query(
    `UPDATE slack_outbox SET attempts = attempts + 1, last_error = $2,
            not_before = now() + ($3::text || ' milliseconds')::interval, context = COALESCE($4, context)
      WHERE id = $1`,
    [id, error, Math.round(delayMs), context ? JSON.stringify(context) : null],
  );
}

export interface OutboxStats {
  pending: number;
  failed: number;
  oldestPendingSeconds: number;
}

export async function outboxStats(db: Queryable): Promise<OutboxStats> {
  const res = await db.query<{ pending: string; failed: string; oldest: string | null }>(
    `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'pending')) AS oldest
       FROM slack_outbox`,
  );
  const r = res.rows[0]!;
  return {
    pending: Number(r.pending),
    failed: Number(r.failed),
    oldestPendingSeconds: Number(r.oldest ?? 0),
  };
}
