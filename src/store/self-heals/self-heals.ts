import type { Queryable } from "../pool.js";

/** Where an alert's self-heal stands (see migrations/0040_self_heal.sql). */
export type SelfHealState =
  "pending" | "running" | "offered" | "refused" | "skipped" | "succeeded" | "failed" | "healed" | "recovered";

/** The self-heal an alert route asked for, on the incident the alert opened. */
export interface SelfHeal {
  id: number;
  incidentId: number;
  groupId: number;
  routeIndex: number;
  routeMatch: Record<string, string>;
  command: string;
  params: Record<string, string>;
  /** Null: paging was not held (it started at once and the fix ran alongside). */
  pageAfterMs: number | null;
  state: SelfHealState;
  runId: number | null;
  reason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

interface Row {
  id: string;
  incident_id: string;
  group_id: string;
  route_index: number;
  route_match: Record<string, string>;
  command: string;
  params: Record<string, string>;
  page_after_ms: number | null;
  state: SelfHealState;
  run_id: string | null;
  reason: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const toSelfHeal = (r: Row): SelfHeal => ({
  id: Number(r.id),
  incidentId: Number(r.incident_id),
  groupId: Number(r.group_id),
  routeIndex: r.route_index,
  routeMatch: r.route_match,
  command: r.command,
  params: r.params,
  pageAfterMs: r.page_after_ms,
  state: r.state,
  runId: r.run_id === null ? null : Number(r.run_id),
  reason: r.reason,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

/** Records the self-heal of an incident an alert just opened (pending until it starts). */
export async function insertSelfHeal(
  tx: Queryable,
  h: Pick<
    SelfHeal,
    "incidentId" | "groupId" | "routeIndex" | "routeMatch" | "command" | "params" | "pageAfterMs"
  > & {
    now: Date;
  },
): Promise<SelfHeal> {
  const res = await tx.query<Row>(
    `INSERT INTO self_heals (incident_id, group_id, route_index, route_match, command, params, page_after_ms,
                             state, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8) RETURNING *`,
    [
      h.incidentId,
      h.groupId,
      h.routeIndex,
      JSON.stringify(h.routeMatch),
      h.command,
      JSON.stringify(h.params),
      h.pageAfterMs,
      h.now,
    ],
  );
  return toSelfHeal(res.rows[0]!);
}

export async function getSelfHeal(db: Queryable, incidentId: number): Promise<SelfHeal | null> {
  const res = await db.query<Row>("SELECT * FROM self_heals WHERE incident_id = $1", [incidentId]);
  return res.rows[0] ? toSelfHeal(res.rows[0]) : null;
}

/** The incident's self-heal, row-locked: its decisions are serial (after the incident's lock). */
export async function lockSelfHeal(tx: Queryable, incidentId: number): Promise<SelfHeal | null> {
  const res = await tx.query<Row>("SELECT * FROM self_heals WHERE incident_id = $1 FOR UPDATE", [incidentId]);
  return res.rows[0] ? toSelfHeal(res.rows[0]) : null;
}

/** The self-heal a run was started for, row-locked; null for any other run. */
export async function lockSelfHealOfRun(tx: Queryable, runId: number): Promise<SelfHeal | null> {
  const res = await tx.query<Row>("SELECT * FROM self_heals WHERE run_id = $1 FOR UPDATE", [runId]);
  return res.rows[0] ? toSelfHeal(res.rows[0]) : null;
}

/** Moves a self-heal on, only from one of `from` (a transition under its row lock). */
export async function transitionSelfHeal(
  tx: Queryable,
  id: number,
  from: readonly SelfHealState[],
  to: {
    state: SelfHealState;
    now: Date;
    runId?: number;
    reason?: string;
    started?: boolean;
    finished?: boolean;
  },
): Promise<SelfHeal | null> {
  const res = await tx.query<Row>(
    `UPDATE self_heals SET state = $3, updated_at = $4,
            run_id = COALESCE($5, run_id), reason = COALESCE($6, reason),
            started_at = CASE WHEN $7 THEN $4 ELSE started_at END,
            finished_at = CASE WHEN $8 THEN $4 ELSE finished_at END
      WHERE id = $1 AND state = ANY($2::text[]) RETURNING *`,
    [
      id,
      from,
      to.state,
      to.now,
      to.runId ?? null,
      to.reason ?? null,
      to.started ?? false,
      to.finished ?? false,
    ],
  );
  return res.rows[0] ? toSelfHeal(res.rows[0]) : null;
}

/** Incidents whose self-heal has waited since before `before` without starting (for the sweeper). */
export async function pendingSelfHeals(db: Queryable, before: Date, limit: number): Promise<number[]> {
  const res = await db.query<{ incident_id: string }>(
    "SELECT incident_id FROM self_heals WHERE state = 'pending' AND created_at <= $1 ORDER BY created_at LIMIT $2",
    [before, limit],
  );
  return res.rows.map((r) => Number(r.incident_id));
}
