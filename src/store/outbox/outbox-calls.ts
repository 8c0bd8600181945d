import { notifyAfterCommit } from "../pool.js";
import type { Queryable } from "../pool.js";

/** Postgres channel on which queued calls wake the drainer. */
export const OUTBOX_CHANNEL = "slack_outbox";

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

/** A call being sent: its claim's token, and when the attempt was made. */
export interface ClaimedCall extends OutboxRow {
  claimToken: string;
  claimedAt: Date;
}

/**
 * Enqueues in the caller's transaction: the call exists exactly when the change that needs
 * it commits. With a coalesce key, a pending call with that key absorbs this one — but a
 * pending call the drainer is sending right now was rendered before this change: DO UPDATE
 * waits for the drainer's row lock, and once that call is done the insert goes ahead, so
 * the change gets a call of its own. A call already claimed for sending ('sending') was
 * rendered before this change, so the change gets a call of its own.
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
  // Wakes the drainer once the call is visible. Sent after commit, not in the caller's
  // transaction: a NOTIFY in it would hold Postgres's notify lock through its commit and
  // serialise every paging transaction behind each other's WAL flush.
  await notifyAfterCommit(tx, OUTBOX_CHANNEL);
  return res.rows[0] ? Number(res.rows[0].id) : null;
}

/** What the drainer cannot send right now: methods paused or at their tier, channels being paced. */
export interface DueCallFilter {
  methods: readonly string[];
  channelKeys: readonly string[];
}

/**
 * Pending calls that may go now: due, first in line for their channel key (no earlier call
 * of that key pending or being sent), and not held back by `blocked` — so a method waiting
 * out its rate limit never keeps the other methods' calls from going.
 */
export async function listDueCalls(
  db: Queryable,
  limit: number,
  blocked: DueCallFilter = { methods: [], channelKeys: [] },
): Promise<{ id: number; method: string; channelKey: string }[]> {
  const res = await db.query<{ id: string; method: string; channel_key: string }>(
    `SELECT o.id, o.method, o.channel_key FROM slack_outbox o
      WHERE o.status = 'pending' AND o.not_before <= now()
        AND o.method <> ALL($2::text[]) AND o.channel_key <> ALL($3::text[])
        AND NOT EXISTS (SELECT 1 FROM slack_outbox p
                         WHERE p.channel_key = o.channel_key AND p.status IN ('pending', 'sending')
                           AND p.id < o.id)
      ORDER BY o.id LIMIT $1`,
    [limit, blocked.methods, blocked.channelKeys],
  );
  return res.rows.map((r) => ({ id: Number(r.id), method: r.method, channelKey: r.channel_key }));
}

/** Milliseconds until the next pending call not held back by `blocked` is due (null: none). */
export async function msUntilNextDue(
  db: Queryable,
  blocked: DueCallFilter = { methods: [], channelKeys: [] },
): Promise<number | null> {
  const res = await db.query<{ ms: string | null }>(
    `SELECT EXTRACT(EPOCH FROM (min(not_before) - now())) * 1000 AS ms FROM slack_outbox
      WHERE status = 'pending' AND method <> ALL($1::text[]) AND channel_key <> ALL($2::text[])`,
    [blocked.methods, blocked.channelKeys],
  );
  const ms = res.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
}

type RowRecord = {
  id: string;
  kind: string;
  method: string;
  args: Record<string, unknown>;
  context: Record<string, unknown>;
  incident_id: string | null;
  channel_key: string;
  attempts: number;
  claim_token: string | null;
  claimed_at: Date | null;
};

function toRow(r: RowRecord): OutboxRow {
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

/** Locks one pending call for the caller's transaction; null if another drainer has it or it is gone. */
export async function lockCall(tx: Queryable, id: number): Promise<OutboxRow | null> {
  const res = await tx.query<RowRecord>(
    "SELECT * FROM slack_outbox WHERE id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED",
    [id],
  );
  const r = res.rows[0];
  return r ? toRow(r) : null;
}

/**
 * Takes into a call being claimed the other pending calls of `kind` due on its channel key
 * (page DMs to one person that queued behind it): locks them, ends them as 'skipped' with
 * `bundled_into`, and returns them for the caller to carry. Calls another sender holds are left.
 */
export async function absorbPendingCalls(
  tx: Queryable,
  into: Pick<OutboxRow, "id" | "kind" | "channelKey">,
  limit: number,
): Promise<OutboxRow[]> {
  const res = await tx.query<RowRecord>(
    `UPDATE slack_outbox SET status = 'skipped', result = jsonb_build_object('bundled_into', $1::bigint),
            attempts = attempts + 1, done_at = now()
      WHERE id IN (SELECT id FROM slack_outbox
                    WHERE kind = $2 AND channel_key = $3 AND status = 'pending' AND id <> $1
                      AND not_before <= now()
                    ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [into.id, into.kind, into.channelKey, limit],
  );
  return res.rows.map(toRow).sort((a, b) => a.id - b.id);
}

/** Replaces a claimed call's context (what it carries once it has absorbed others). */
export async function setCallContext(
  tx: Queryable,
  id: number,
  context: Record<string, unknown>,
): Promise<void> {
  await tx.query("UPDATE slack_outbox SET context = $2 WHERE id = $1", [id, JSON.stringify(context)]);
}

/** Claims a locked pending call for one attempt: 'sending', with the args about to be sent. */
export async function markSending(
  tx: Queryable,
  id: number,
  args: Record<string, unknown>,
  token: string,
): Promise<void> {
  await tx.query(
    "UPDATE slack_outbox SET status = 'sending', args = $2, claimed_at = now(), claim_token = $3 WHERE id = $1",
    [id, JSON.stringify(args), token],
  );
}

/** Calls claimed more than `graceMs` ago and never recorded: their sender stopped mid-call. */
export async function listOrphanedCalls(db: Queryable, graceMs: number, limit = 20): Promise<ClaimedCall[]> {
  const res = await db.query<RowRecord>(
    `SELECT * FROM slack_outbox
      WHERE status = 'sending' AND claimed_at < now() - ($1::text || ' milliseconds')::interval
      ORDER BY id LIMIT $2`,
    [Math.round(graceMs), limit],
  );
  return res.rows.map((r) => ({ ...toRow(r), claimToken: r.claim_token ?? "", claimedAt: r.claimed_at! }));
}

/** Each call attempted within the last `windowMs`: method and when (epoch ms), oldest first. */
export async function recentAttempts(
  db: Queryable,
  windowMs: number,
): Promise<{ method: string; at: number }[]> {
  const res = await db.query<{ method: string; at: number }>(
    `SELECT method, EXTRACT(EPOCH FROM claimed_at)::float8 * 1000 AS at FROM slack_outbox
      WHERE claimed_at > now() - ($1::text || ' milliseconds')::interval ORDER BY claimed_at`,
    [Math.round(windowMs)],
  );
  return res.rows.map((r) => ({ method: r.method, at: Number(r.at) }));
}

/** Matches the row still being this claim's (any pending row when `token` is undefined). */
const CLAIMED = "($TOKEN::text IS NULL OR (status = 'sending' AND claim_token = $TOKEN::text))";

/**
 * Ends a call. With `token`, only if it is still that claim's (a call recovered by another
 * drainer meanwhile is left alone); returns whether the row was updated.
 */
export async function finishCall(
  tx: Queryable,
  id: number,
  status: "done" | "failed" | "skipped",
  fields: { result?: unknown; error?: string; args?: Record<string, unknown> },
  token?: string,
): Promise<boolean> {
  const res = await tx.query(
    `UPDATE slack_outbox SET status = $2, result = $3, last_error = $4, args = COALESCE($5, args),
            attempts = attempts + 1, done_at = now() WHERE id = $1 AND ${CLAIMED.replaceAll("$TOKEN", "$6")}`,
    [
      id,
      status,
      fields.result === undefined ? null : JSON.stringify(fields.result),
      fields.error ?? null,
      fields.args ? JSON.stringify(fields.args) : null,
      token ?? null,
    ],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Puts a call back in line for another attempt after `delayMs` (see finishCall for `token`). */
export async function retryCallLater(
  tx: Queryable,
  id: number,
  delayMs: number,
  error: string,
  context?: Record<string, unknown>,
  token?: string,
): Promise<boolean> {
  const res = await tx.query(
    `UPDATE slack_outbox SET status = 'pending', claim_token = NULL, attempts = attempts + 1, last_error = $2,
            not_before = now() + ($3::text || ' milliseconds')::interval, context = COALESCE($4, context)
      WHERE id = $1 AND ${CLAIMED.replaceAll("$TOKEN", "$5")}`,
    [id, error, Math.round(delayMs), context ? JSON.stringify(context) : null, token ?? null],
  );
  return (res.rowCount ?? 0) > 0;
}

export interface OutboxStats {
  pending: number;
  sending: number;
  failed: number;
  oldestPendingSeconds: number;
}

export async function outboxStats(db: Queryable): Promise<OutboxStats> {
  const res = await db.query<{ pending: string; sending: string; failed: string; oldest: string | null }>(
    `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
            count(*) FILTER (WHERE status = 'sending') AS sending,
            count(*) FILTER (WHERE status = 'failed') AS failed,
            EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'pending')) AS oldest
       FROM slack_outbox`,
  );
  const r = res.rows[0]!;
  return {
    pending: Number(r.pending),
    sending: Number(r.sending),
    failed: Number(r.failed),
    oldestPendingSeconds: Number(r.oldest ?? 0),
  };
}
