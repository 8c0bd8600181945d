import type { PolicySnapshot } from "../../core/oncall/types.js";
import { toIncident } from "../incidents/incidents.js";
import type { Incident, IncidentRow } from "../incidents/incidents.js";
import { bySchedule, currentOverridesStatement } from "../oncall/overrides.js";
import type { OverrideRow, StoredOverride } from "../oncall/overrides.js";
import { queryTogether } from "../pool.js";
import type { Queryable } from "../pool.js";

/** An incident's escalation as stored (the state of record the engine works from). */
export interface EscalationRow {
  incidentId: number;
  run: number;
  status: "active" | "stopped" | "exhausted" | "none";
  stopReason: string | null;
  policyName: string | null;
  snapshot: PolicySnapshot | null;
  startedAt: Date;
  currentStep: number;
  currentRepeat: number;
  stepStartedAt: Date;
  skipToNext: boolean;
  nextDueAt: Date | null;
  /** Paging is held (a self-heal has its chance) until then; null when not held. */
  heldUntil: Date | null;
  /** What the hold waits for (shown in the summary). */
  holdReason: string | null;
  /** What the first page says if the hold runs out. */
  holdExpiryReason: string | null;
  /** Why paging started after a hold: said with the first page, then cleared. */
  pageNote: string | null;
}

interface Row {
  incident_id: string;
  run: number;
  status: EscalationRow["status"];
  stop_reason: string | null;
  policy_name: string | null;
  snapshot: PolicySnapshot | null;
  started_at: Date;
  current_step: number;
  current_repeat: number;
  step_started_at: Date;
  skip_to_next: boolean;
  next_due_at: Date | null;
  held_until: Date | null;
  hold_reason: string | null;
  hold_expiry_reason: string | null;
  page_note: string | null;
}

const toEscalation = (r: Row): EscalationRow => ({
  incidentId: Number(r.incident_id),
  run: r.run,
  status: r.status,
  stopReason: r.stop_reason,
  policyName: r.policy_name,
  snapshot: r.snapshot,
  startedAt: r.started_at,
  currentStep: r.current_step,
  currentRepeat: r.current_repeat,
  stepStartedAt: r.step_started_at,
  skipToNext: r.skip_to_next,
  nextDueAt: r.next_due_at,
  heldUntil: r.held_until,
  holdReason: r.hold_reason,
  holdExpiryReason: r.hold_expiry_reason,
  pageNote: r.page_note,
});

export async function getEscalation(db: Queryable, incidentId: number): Promise<EscalationRow | null> {
  const res = await db.query<Row>("SELECT * FROM escalations WHERE incident_id = $1", [incidentId]);
  return res.rows[0] ? toEscalation(res.rows[0]) : null;
}

/**
 * An incident's escalation, and the overrides current after `overridesAfter` (by schedule),
 * in one round trip: the two statements go in one simple-protocol message, so the id is
 * checked to be an integer before it is inlined (the instant is an ISO string).
 */
export async function getEscalationWithOverrides(
  db: Queryable,
  incidentId: number,
  overridesAfter: Date,
): Promise<{ escalation: EscalationRow | null; overrides: Record<string, StoredOverride[]> }> {
  if (!Number.isSafeInteger(incidentId)) throw new TypeError(`not an incident id: ${incidentId}`);
  const [escalations, overrides] = await queryTogether<[Row, OverrideRow]>(db, [
    `SELECT * FROM escalations WHERE incident_id = ${incidentId}`,
    currentOverridesStatement(overridesAfter),
  ]);
  const escalation = escalations.rows[0];
  return { escalation: escalation ? toEscalation(escalation) : null, overrides: bySchedule(overrides.rows) };
}

/**
 * Locks an incident's row and then its escalation's (the order every incident change takes),
 * in one round trip: the two statements go in one simple-protocol message, each reading after
 * the lock before it (READ COMMITTED takes a snapshot per statement). The id is inlined, so it
 * is checked to be an integer first; nothing else is.
 */
export async function lockIncidentAndEscalation(
  tx: Queryable,
  incidentId: number,
): Promise<{ incident: Incident | null; escalation: EscalationRow | null }> {
  if (!Number.isSafeInteger(incidentId)) throw new TypeError(`not an incident id: ${incidentId}`);
  const [incidents, escalations] = await queryTogether<[IncidentRow, Row]>(tx, [
    `SELECT * FROM incidents WHERE id = ${incidentId} FOR UPDATE`,
    `SELECT * FROM escalations WHERE incident_id = ${incidentId} FOR UPDATE`,
  ]);
  const [incident, escalation] = [incidents.rows[0], escalations.rows[0]];
  return {
    incident: incident ? toIncident(incident) : null,
    escalation: escalation ? toEscalation(escalation) : null,
  };
}

/**
 * Starts (or, for a reopened incident, restarts with the next run number) an escalation
 * due at once. With no policy, stores `none` so that the absence is recorded once.
 */
export async function upsertEscalationStart(
  tx: Queryable,
  e: { incidentId: number; policy: PolicySnapshot | null; now: Date },
): Promise<EscalationRow> {
  const res = await tx.query<Row>(
    `INSERT INTO escalations (incident_id, status, policy_name, snapshot, started_at, step_started_at,
                              next_due_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $5)
     ON CONFLICT (incident_id) DO UPDATE SET
       run = escalations.run + 1, status = EXCLUDED.status, stop_reason = NULL,
       policy_name = EXCLUDED.policy_name, snapshot = EXCLUDED.snapshot, started_at = EXCLUDED.started_at,
       current_step = -1, current_repeat = 0, step_started_at = EXCLUDED.step_started_at,
       skip_to_next = false, next_due_at = EXCLUDED.next_due_at, updated_at = EXCLUDED.updated_at,
       held_until = NULL, hold_reason = NULL, hold_expiry_reason = NULL, page_note = NULL
     RETURNING *`,
    [
      e.incidentId,
      e.policy ? "active" : "none",
      e.policy?.name ?? null,
      e.policy ? JSON.stringify(e.policy) : null,
      e.now,
      e.policy ? e.now : null,
    ],
  );
  return toEscalation(res.rows[0]!);
}

/** Ends an active escalation; returns it as it was, or null when none was active. */
export async function endEscalation(
  tx: Queryable,
  incidentId: number,
  status: "stopped" | "exhausted",
  reason: string,
  now: Date,
): Promise<EscalationRow | null> {
  const res = await tx.query<Row>(
    `UPDATE escalations SET status = $2, stop_reason = $3, next_due_at = NULL, skip_to_next = false, updated_at = $4,
            held_until = NULL, hold_reason = NULL, hold_expiry_reason = NULL
      WHERE incident_id = $1 AND status = 'active' RETURNING *`,
    [incidentId, status, reason, now],
  );
  return res.rows[0] ? toEscalation(res.rows[0]) : null;
}

/** Stores the cursor after a page: the step's ack window runs from `now` (a hold's note has been said). */
export async function advanceEscalation(
  tx: Queryable,
  incidentId: number,
  c: { step: number; repeat: number; now: Date; nextDueAt: Date },
): Promise<void> {
  await tx.query(
    `UPDATE escalations SET current_step = $2, current_repeat = $3, step_started_at = $4,
            skip_to_next = false, next_due_at = $5, updated_at = $4, page_note = NULL
      WHERE incident_id = $1`,
    [incidentId, c.step, c.repeat, c.now, c.nextDueAt],
  );
}

/** Moves the next look to `dueAt` (a timer that fired early, or "escalate now"). */
export async function setEscalationDue(
  tx: Queryable,
  incidentId: number,
  dueAt: Date,
  opts: { skipToNext?: boolean; now: Date },
): Promise<void> {
  await tx.query(
    `UPDATE escalations SET next_due_at = $2, skip_to_next = COALESCE($3, skip_to_next), updated_at = $4
      WHERE incident_id = $1 AND status = 'active'`,
    [incidentId, dueAt, opts.skipToNext ?? null, opts.now],
  );
}

/**
 * Holds (or re-holds) an active escalation that has paged nobody yet: nobody is paged
 * before `until`. Returns the row, or null when there was nothing to hold (no policy,
 * already paging, stopped).
 */
export async function setEscalationHold(
  tx: Queryable,
  incidentId: number,
  h: { until: Date; reason: string; expiryReason: string; now: Date },
): Promise<EscalationRow | null> {
  const res = await tx.query<Row>(
    `UPDATE escalations SET held_until = $2, hold_reason = $3, hold_expiry_reason = $4, next_due_at = $2,
            updated_at = $5
      WHERE incident_id = $1 AND status = 'active' AND current_step < 0 RETURNING *`,
    [incidentId, h.until, h.reason, h.expiryReason, h.now],
  );
  return res.rows[0] ? toEscalation(res.rows[0]) : null;
}

/** Ends a hold: due at once, the first page saying `note`. Null when the escalation was not held. */
export async function releaseEscalationHold(
  tx: Queryable,
  incidentId: number,
  r: { note: string; now: Date },
): Promise<EscalationRow | null> {
  const res = await tx.query<Row>(
    `UPDATE escalations SET held_until = NULL, hold_reason = NULL, hold_expiry_reason = NULL, page_note = $2,
            next_due_at = $3, updated_at = $3
      WHERE incident_id = $1 AND status = 'active' AND held_until IS NOT NULL RETURNING *`,
    [incidentId, r.note, r.now],
  );
  return res.rows[0] ? toEscalation(res.rows[0]) : null;
}

/** Stops an escalation only while it is still held (nobody was paged); null otherwise. */
export async function endHeldEscalation(
  tx: Queryable,
  incidentId: number,
  reason: string,
  now: Date,
): Promise<EscalationRow | null> {
  const res = await tx.query<Row>(
    `UPDATE escalations SET status = 'stopped', stop_reason = $2, next_due_at = NULL, skip_to_next = false,
            held_until = NULL, hold_reason = NULL, hold_expiry_reason = NULL, updated_at = $3
      WHERE incident_id = $1 AND status = 'active' AND held_until IS NOT NULL RETURNING *`,
    [incidentId, reason, now],
  );
  return res.rows[0] ? toEscalation(res.rows[0]) : null;
}

/** Active escalations due by `before`: what the reconciler makes sure has a timer. */
export async function listDueEscalations(
  db: Queryable,
  before: Date,
  limit: number,
): Promise<{ incidentId: number; run: number; step: number; repeat: number; dueAt: Date }[]> {
  const res = await db.query<{
    incident_id: string;
    run: number;
    current_step: number;
    current_repeat: number;
    next_due_at: Date;
  }>(
    `SELECT incident_id, run, current_step, current_repeat, next_due_at FROM escalations
      WHERE status = 'active' AND next_due_at <= $1 ORDER BY next_due_at LIMIT $2`,
    [before, limit],
  );
  return res.rows.map((r) => ({
    incidentId: Number(r.incident_id),
    run: r.run,
    step: r.current_step,
    repeat: r.current_repeat,
    dueAt: r.next_due_at,
  }));
}

/** One person paged, as stored. */
export interface PageRow {
  id: number;
  incidentId: number;
  run: number;
  step: number;
  repeat: number;
  userId: string;
  reason: "escalation" | "adhoc";
  pagedBy: string;
  dueAt: Date;
  createdAt: Date;
}

/**
 * Claims the right to page `userId` for (incident, run, step, repeat): returns the new row,
 * or null when that page was already claimed (and sent, in the transaction that claimed it).
 */
export async function claimPage(
  tx: Queryable,
  p: Omit<PageRow, "id" | "createdAt"> & { now: Date },
): Promise<PageRow | null> {
  const res = await tx.query<{ id: string }>(
    `INSERT INTO pages (incident_id, run, step, repeat, user_id, reason, paged_by, due_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (incident_id, run, step, repeat, user_id) DO NOTHING RETURNING id`,
    [p.incidentId, p.run, p.step, p.repeat, p.userId, p.reason, p.pagedBy, p.dueAt, p.now],
  );
  const id = res.rows[0]?.id;
  if (id === undefined) return null;
  const { now, ...rest } = p;
  return { id: Number(id), ...rest, createdAt: now };
}

/** The number the next ad hoc page on an incident gets (call under the incident's lock). */
export async function nextAdHocNumber(tx: Queryable, incidentId: number): Promise<number> {
  const res = await tx.query<{ n: number }>(
    "SELECT COALESCE(max(repeat), -1) + 1 AS n FROM pages WHERE incident_id = $1 AND reason = 'adhoc'",
    [incidentId],
  );
  return res.rows[0]?.n ?? 0;
}

export async function listPages(db: Queryable, incidentId: number): Promise<PageRow[]> {
  const res = await db.query<{
    id: string;
    incident_id: string;
    run: number;
    step: number;
    repeat: number;
    user_id: string;
    reason: PageRow["reason"];
    paged_by: string;
    due_at: Date;
    created_at: Date;
  }>("SELECT * FROM pages WHERE incident_id = $1 ORDER BY id", [incidentId]);
  return res.rows.map((r) => ({
    id: Number(r.id),
    incidentId: Number(r.incident_id),
    run: r.run,
    step: r.step,
    repeat: r.repeat,
    userId: r.user_id,
    reason: r.reason,
    pagedBy: r.paged_by,
    dueAt: r.due_at,
    createdAt: r.created_at,
  }));
}
