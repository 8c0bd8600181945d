import type { ContactMethodType } from "../../core/notify/contact-methods.js";
import type { PlannedDelivery } from "../../core/notify/plan-deliveries.js";
import type { Queryable } from "../pool.js";

/** One page through one contact method, as stored: due, retried, delivered, dead or withdrawn. */
export interface PageDelivery {
  id: number;
  pageId: number;
  incidentId: number;
  userId: string;
  methodId: string;
  methodType: ContactMethodType;
  /** Address, number, topic or URL; empty for the Slack DM and the install-wide webhook. */
  target: string;
  /** The page webhook's JSON; for other methods, the message as last rendered. */
  body: Record<string, unknown>;
  status: "pending" | "delivered" | "dead" | "withdrawn";
  attempts: number;
  dueAt: Date;
  nextAttemptAt: Date;
  /** Set while an attempt is out with the provider (claimed, outcome not yet recorded). */
  attemptStartedAt: Date | null;
  sentAt: Date | null;
  providerRef: string | null;
  /** The delivery whose message also carried this one (a bundle), if any. */
  bundledInto: number | null;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

interface Row {
  id: string;
  page_id: string;
  incident_id: string;
  user_id: string;
  method_id: string;
  method_type: ContactMethodType;
  target: string;
  body: Record<string, unknown>;
  status: PageDelivery["status"];
  attempts: number;
  due_at: Date;
  next_attempt_at: Date;
  attempt_started_at: Date | null;
  sent_at: Date | null;
  provider_ref: string | null;
  bundled_into: string | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const toDelivery = (r: Row): PageDelivery => ({
  id: Number(r.id),
  pageId: Number(r.page_id),
  incidentId: Number(r.incident_id),
  userId: r.user_id,
  methodId: r.method_id,
  methodType: r.method_type,
  target: r.target,
  body: r.body,
  status: r.status,
  attempts: r.attempts,
  dueAt: r.due_at,
  nextAttemptAt: r.next_attempt_at,
  attemptStartedAt: r.attempt_started_at,
  sentAt: r.sent_at,
  providerRef: r.provider_ref,
  bundledInto: r.bundled_into === null ? null : Number(r.bundled_into),
  lastError: r.last_error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

/**
 * Stores a page's planned deliveries, one per contact method: the unique (page, method)
 * key means a second claim of the same page adds nothing. Returns the rows inserted.
 */
export async function insertDeliveries(
  tx: Queryable,
  d: {
    pageId: number;
    incidentId: number;
    userId: string;
    planned: readonly PlannedDelivery[];
    bodies?: ReadonlyMap<string, Record<string, unknown>>;
    /** Methods delivered in this transaction (a Slack DM queued in the outbox): stored delivered, one attempt. */
    deliveredNow?: ReadonlySet<string>;
    now: Date;
  },
): Promise<PageDelivery[]> {
  if (d.planned.length === 0) return [];
  const res = await tx.query<Row>(
    `INSERT INTO page_deliveries (page_id, incident_id, user_id, method_id, method_type, target, body,
                                  due_at, next_attempt_at, created_at, status, attempts, sent_at, finished_at)
     SELECT $1, $2, $3, m.method_id, m.method_type, m.target, m.body, m.due_at, m.due_at, $4,
            CASE WHEN m.delivered THEN 'delivered' ELSE 'pending' END, CASE WHEN m.delivered THEN 1 ELSE 0 END,
            CASE WHEN m.delivered THEN $4::timestamptz END, CASE WHEN m.delivered THEN $4::timestamptz END
       FROM jsonb_to_recordset($5::jsonb)
            AS m(method_id text, method_type text, target text, body jsonb, due_at timestamptz, delivered boolean)
     ON CONFLICT (page_id, method_id) DO NOTHING
     RETURNING *`,
    [
      d.pageId,
      d.incidentId,
      d.userId,
      d.now,
      JSON.stringify(
        d.planned.map((p) => ({
          method_id: p.methodId,
          method_type: p.type,
          target: p.target,
          body: d.bodies?.get(p.methodId) ?? {},
          due_at: p.dueAt.toISOString(),
          delivered: d.deliveredNow?.has(p.methodId) ?? false,
        })),
      ),
    ],
  );
  return res.rows.map(toDelivery).sort((a, b) => a.id - b.id);
}

export async function getDelivery(db: Queryable, id: number): Promise<PageDelivery | null> {
  const res = await db.query<Row>("SELECT * FROM page_deliveries WHERE id = $1", [id]);
  return res.rows[0] ? toDelivery(res.rows[0]) : null;
}

/** Locks a pending delivery; null if another worker holds it or it is finished. */
export async function lockPendingDelivery(tx: Queryable, id: number): Promise<PageDelivery | null> {
  const res = await tx.query<Row>(
    "SELECT * FROM page_deliveries WHERE id = $1 AND status = 'pending' FOR UPDATE SKIP LOCKED",
    [id],
  );
  return res.rows[0] ? toDelivery(res.rows[0]) : null;
}

/** Locks a delivery if it is still pending under the claim made at `claimedAt` (the claim is still ours). */
export async function lockClaimed(tx: Queryable, id: number, claimedAt: Date): Promise<boolean> {
  const res = await tx.query(
    "SELECT 1 FROM page_deliveries WHERE id = $1 AND status = 'pending' AND attempt_started_at = $2 FOR UPDATE",
    [id, claimedAt],
  );
  return (res.rowCount ?? 0) > 0;
}

/** The deliveries that went out in one message (a bundle): the lead and those it carried. */
export async function bundleOf(db: Queryable, leadId: number): Promise<PageDelivery[]> {
  const res = await db.query<Row>(
    "SELECT * FROM page_deliveries WHERE id = $1 OR bundled_into = $1 ORDER BY (id = $1) DESC, id",
    [leadId],
  );
  return res.rows.map(toDelivery);
}

/**
 * Serialises sends to one number or address across workers for the rest of the caller's
 * transaction (the per-target rate limit and bundling decide under it).
 */
export async function lockContactTarget(
  tx: Queryable,
  type: ContactMethodType,
  target: string,
): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`fb-contact:${type}:${target}`]);
}

/** Whether another attempt to the same number or address is out with the provider now. */
export async function attemptInFlight(
  tx: Queryable,
  o: { type: ContactMethodType; target: string; exceptId: number; since: Date },
): Promise<boolean> {
  const res = await tx.query(
    `SELECT 1 FROM page_deliveries
      WHERE method_type = $1 AND target = $2 AND status = 'pending' AND id <> $3
        AND attempt_started_at > $4 LIMIT 1`,
    [o.type, o.target, o.exceptId, o.since],
  );
  return (res.rowCount ?? 0) > 0;
}

/**
 * Other deliveries due to the same number or address that can ride along in one message
 * (a bundle), locked; those another worker holds are left to it.
 */
export async function lockBundleMates(
  tx: Queryable,
  lead: Pick<PageDelivery, "id" | "methodType" | "target">,
  now: Date,
  limit: number,
): Promise<PageDelivery[]> {
  if (limit <= 0) return [];
  const res = await tx.query<Row>(
    `SELECT * FROM page_deliveries
      WHERE method_type = $1 AND target = $2 AND status = 'pending' AND id <> $3
        AND next_attempt_at <= $4 AND attempt_started_at IS NULL
      ORDER BY due_at, id LIMIT $5 FOR UPDATE SKIP LOCKED`,
    [lead.methodType, lead.target, lead.id, now, limit],
  );
  return res.rows.map(toDelivery);
}

/** Marks deliveries as out with the provider from `now` (the mates as carried by the lead). */
export async function claimAttempt(
  tx: Queryable,
  o: { leadId: number; mateIds: readonly number[]; body: Record<string, unknown> | null; now: Date },
): Promise<void> {
  await tx.query(
    `UPDATE page_deliveries SET attempt_started_at = $3,
            bundled_into = CASE WHEN id = $1 THEN NULL ELSE $1 END,
            body = CASE WHEN id = $1 AND $4::jsonb IS NOT NULL THEN $4::jsonb ELSE body END
      WHERE id = $1 OR id = ANY($2::bigint[])`,
    [o.leadId, o.mateIds, o.now, o.body === null ? null : JSON.stringify(o.body)],
  );
}

/**
 * Records what one attempt did for every delivery it carried. With `claimedAt`, only for
 * deliveries still pending under that claim (a claim taken over as in doubt is not ours).
 * Returns the ids it recorded.
 */
export async function recordAttempt(
  tx: Queryable,
  ids: readonly number[],
  a: {
    status: PageDelivery["status"];
    error: string | null;
    nextAttemptAt?: Date;
    providerRef?: string | null;
    now: Date;
    claimedAt?: Date;
  },
): Promise<number[]> {
  const res = await tx.query<{ id: string }>(
    `UPDATE page_deliveries SET status = $2, attempts = attempts + 1, last_error = $3,
            next_attempt_at = COALESCE($4, next_attempt_at), attempt_started_at = NULL,
            bundled_into = CASE WHEN $2 = 'pending' THEN NULL ELSE bundled_into END,
            sent_at = CASE WHEN $2 = 'delivered' THEN $6::timestamptz ELSE sent_at END,
            provider_ref = COALESCE($5, provider_ref),
            finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $6::timestamptz END
      WHERE id = ANY($1::bigint[])
        AND ($7::timestamptz IS NULL OR (status = 'pending' AND attempt_started_at = $7::timestamptz))
      RETURNING id`,
    [ids, a.status, a.error, a.nextAttemptAt ?? null, a.providerRef ?? null, a.now, a.claimedAt ?? null],
  );
  return res.rows.map((r) => Number(r.id));
}

/** Releases a claim whose outcome is known not to have reached the provider (no attempt counted). */
export async function releaseClaim(tx: Queryable, leadId: number): Promise<void> {
  await tx.query(
    `UPDATE page_deliveries SET attempt_started_at = NULL, bundled_into = NULL
      WHERE (id = $1 OR bundled_into = $1) AND status = 'pending'`,
    [leadId],
  );
}

/** Moves a pending delivery's next look to `at` (the rate limit, a claim in flight). */
export async function deferDelivery(tx: Queryable, id: number, at: Date): Promise<void> {
  await tx.query("UPDATE page_deliveries SET next_attempt_at = $2 WHERE id = $1 AND status = 'pending'", [
    id,
    at,
  ]);
}

/**
 * Withdraws a delivery not yet made whose page no longer needs answering: the page itself
 * was answered (acked or declined from a page), an escalation page's incident is no longer
 * `declared`, or an ad hoc page's incident was acknowledged or resolved after the page.
 * Returns why, or null when it still goes.
 */
export async function withdrawIfAnswered(
  tx: Queryable,
  id: number,
  now: Date,
): Promise<{ state: string; answeredVia: string | null } | null> {
  const res = await tx.query<{ state: string; answered_via: string | null }>(
    `UPDATE page_deliveries d SET status = 'withdrawn', finished_at = $2, attempt_started_at = NULL
       FROM pages p, incidents i
      WHERE d.id = $1 AND d.status = 'pending' AND p.id = d.page_id AND i.id = d.incident_id
        AND (p.answered_at IS NOT NULL
             OR (p.reason = 'escalation' AND i.state <> 'declared')
             OR (p.reason = 'adhoc' AND (i.acknowledged_at > p.created_at OR i.resolved_at > p.created_at)))
     RETURNING i.state, p.answered_via`,
    [id, now],
  );
  const row = res.rows[0];
  return row ? { state: row.state, answeredVia: row.answered_via } : null;
}

/**
 * Withdraws every delivery of `incidentId` not yet out (an ack stops them all): escalation
 * pages, and ad hoc pages made before `since` (the ack). Returns what it withdrew.
 */
export async function withdrawPendingForIncident(
  tx: Queryable,
  incidentId: number,
  o: { since: Date; now: Date; pageIds?: readonly number[] },
): Promise<PageDelivery[]> {
  const res = await tx.query<Row>(
    `UPDATE page_deliveries d SET status = 'withdrawn', finished_at = $3
       FROM pages p
      WHERE d.incident_id = $1 AND d.status = 'pending' AND d.attempt_started_at IS NULL
        AND p.id = d.page_id
        AND ($4::bigint[] IS NULL OR p.id = ANY($4::bigint[]))
        AND (p.reason = 'escalation' OR p.created_at <= $2)
     RETURNING d.*`,
    [incidentId, o.since, o.now, o.pageIds ?? null],
  );
  return res.rows.map(toDelivery);
}

/** Pending deliveries due by `before`: what the reconciler makes sure has a timer. */
export async function listDueDeliveries(
  db: Queryable,
  before: Date,
  limit: number,
): Promise<{ id: number; dueAt: Date }[]> {
  const res = await db.query<{ id: string; next_attempt_at: Date }>(
    `SELECT id, next_attempt_at FROM page_deliveries
      WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2`,
    [before, limit],
  );
  return res.rows.map((r) => ({ id: Number(r.id), dueAt: r.next_attempt_at }));
}

/** Every delivery of an incident's pages, oldest first (the console, the incident page). */
export async function listDeliveries(db: Queryable, incidentId: number): Promise<PageDelivery[]> {
  const res = await db.query<Row>("SELECT * FROM page_deliveries WHERE incident_id = $1 ORDER BY id", [
    incidentId,
  ]);
  return res.rows.map(toDelivery);
}

/**
 * The most recent message of `type` that went to `target` since `since`: its lead delivery
 * (an SMS reply of "1" answers the pages of the last SMS).
 */
export async function lastSentTo(
  db: Queryable,
  o: { type: ContactMethodType; target: string; since: Date },
): Promise<PageDelivery | null> {
  const res = await db.query<Row>(
    `SELECT * FROM page_deliveries
      WHERE method_type = $1 AND target = $2 AND sent_at >= $3 AND bundled_into IS NULL
      ORDER BY sent_at DESC, id DESC LIMIT 1`,
    [o.type, o.target, o.since],
  );
  return res.rows[0] ? toDelivery(res.rows[0]) : null;
}

/** Notes what the provider later said about a delivered message (a call not answered, an SMS undelivered). */
export async function noteProviderStatus(
  tx: Queryable,
  leadId: number,
  status: string,
): Promise<PageDelivery[]> {
  const res = await tx.query<Row>(
    `UPDATE page_deliveries SET last_error = $2
      WHERE (id = $1 OR bundled_into = $1) AND status = 'delivered' RETURNING *`,
    [leadId, status],
  );
  return res.rows.map(toDelivery);
}

/** The latest deliveries across incidents, newest first (the local console's pages panel). */
export async function listRecentDeliveries(db: Queryable, limit: number): Promise<PageDelivery[]> {
  const res = await db.query<Row>("SELECT * FROM page_deliveries ORDER BY id DESC LIMIT $1", [limit]);
  return res.rows.map(toDelivery);
}
