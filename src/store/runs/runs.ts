import type { ParamValue } from "../../core/catalog/types.js";
import type { Role } from "../../core/incident/roles.js";
import type { Queryable } from "../pool.js";
import { sqlState } from "../pool.js";

export type RunState =
  | "previewing"
  | "awaiting_approval"
  | "approved"
  | "running"
  | "succeeded"
  | "failed"
  | "denied"
  | "expired"
  | "interrupted";

/** What an approver saw: the changes, rows, and the facts the run re-checks. */
export interface StoredPreview {
  changes: string[];
  table?: { columns: string[]; rows: (string | number | boolean | null)[][] };
  /** Per step index, the preview's `expect` handed back to the action at run time. */
  expect: Record<string, Record<string, unknown>>;
}

/** How a run ended. */
export interface RunOutcome {
  status: "ok" | "warning" | "error";
  summary: string;
  /** SHA-256 of the whole (redacted) output. */
  digest?: string;
  excerpt?: string;
  error?: string;
  durationMs?: number;
}

/**
 * How an alert's remediation was (or was not) pre-approved: the policy's decision, the
 * guardrail's figures at that moment and the alert route that asked for it.
 */
export interface AutoApprovalRecord {
  approved: boolean;
  /** Why the guardrail declined it (then it waits for a human approval). */
  reason?: string;
  figures?: {
    maxPerHour: number;
    runsInLastHour: number;
    cooldownMs: number;
    /** ISO time of the command's last auto-approved run on the target, or null. */
    lastAutoRunAt: string | null;
    alertFiring: boolean;
  };
  route?: { index: number; match: Record<string, string> };
}

/** One run of a catalog command (columns mapped once, here). */
export interface Run {
  id: number;
  incidentId: number | null;
  command: string;
  kind: "diagnostic" | "remediation";
  targetType: string;
  target: string;
  params: Record<string, ParamValue>;
  requestedBy: string;
  via: string;
  channelId: string | null;
  responseUrl: string | null;
  state: RunState;
  exclusive: boolean;
  approvalsNeeded: number;
  approverRoles: Role[];
  preview: StoredPreview | null;
  approvalTs: string | null;
  autoApproved: boolean;
  /** Set for remediations an alert asked for: the pre-approval decision and its figures. */
  autoApproval: AutoApprovalRecord | null;
  timeoutMs: number;
  requestedAt: Date;
  expiresAt: Date | null;
  startedAt: Date | null;
  deadlineAt: Date | null;
  finishedAt: Date | null;
  outcome: RunOutcome | null;
}

interface RunRow {
  id: string;
  incident_id: string | null;
  command: string;
  kind: "diagnostic" | "remediation";
  target_type: string;
  target: string;
  params: Record<string, ParamValue>;
  requested_by: string;
  via: string;
  channel_id: string | null;
  response_url: string | null;
  state: RunState;
  exclusive: boolean;
  approvals_needed: number;
  approver_roles: Role[];
  preview: StoredPreview | null;
  approval_ts: string | null;
  auto_approved: boolean;
  auto_approval: AutoApprovalRecord | null;
  timeout_ms: number;
  requested_at: Date;
  expires_at: Date | null;
  started_at: Date | null;
  deadline_at: Date | null;
  finished_at: Date | null;
  outcome: RunOutcome | null;
}

const toRun = (r: RunRow): Run => ({
  id: Number(r.id),
  incidentId: r.incident_id === null ? null : Number(r.incident_id),
  command: r.command,
  kind: r.kind,
  targetType: r.target_type,
  target: r.target,
  params: r.params,
  requestedBy: r.requested_by,
  via: r.via,
  channelId: r.channel_id,
  responseUrl: r.response_url,
  state: r.state,
  exclusive: r.exclusive,
  approvalsNeeded: r.approvals_needed,
  approverRoles: r.approver_roles,
  preview: r.preview,
  approvalTs: r.approval_ts,
  autoApproved: r.auto_approved,
  autoApproval: r.auto_approval,
  timeoutMs: r.timeout_ms,
  requestedAt: r.requested_at,
  expiresAt: r.expires_at,
  startedAt: r.started_at,
  deadlineAt: r.deadline_at,
  finishedAt: r.finished_at,
  outcome: r.outcome,
});

export type NewRun = Pick<
  Run,
  | "incidentId"
  | "command"
  | "kind"
  | "targetType"
  | "target"
  | "params"
  | "requestedBy"
  | "via"
  | "channelId"
  | "responseUrl"
  | "state"
  | "exclusive"
  | "approvalsNeeded"
  | "approverRoles"
  | "timeoutMs"
  | "requestedAt"
  | "autoApproved"
> &
  Partial<Pick<Run, "autoApproval">>;

export async function insertRun(tx: Queryable, r: NewRun): Promise<Run> {
  const res = await tx.query<RunRow>(
    `INSERT INTO runs (incident_id, command, kind, target_type, target, params, requested_by, via, channel_id,
                       response_url, state, exclusive, approvals_needed, approver_roles, timeout_ms, requested_at,
                       auto_approved, auto_approval)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING *`,
    [
      r.incidentId,
      r.command,
      r.kind,
      r.targetType,
      r.target,
      JSON.stringify(r.params),
      r.requestedBy,
      r.via,
      r.channelId,
      r.responseUrl,
      r.state,
      r.exclusive,
      r.approvalsNeeded,
      r.approverRoles,
      r.timeoutMs,
      r.requestedAt,
      r.autoApproved,
      r.autoApproval ? JSON.stringify(r.autoApproval) : null,
    ],
  );
  return toRun(res.rows[0]!);
}

export async function getRun(db: Queryable, id: number): Promise<Run | null> {
  const res = await db.query<RunRow>("SELECT * FROM runs WHERE id = $1", [id]);
  return res.rows[0] ? toRun(res.rows[0]) : null;
}

/** Reads and row-locks a run: every state change of one run is serial. */
export async function lockRun(tx: Queryable, id: number): Promise<Run | null> {
  const res = await tx.query<RunRow>("SELECT * FROM runs WHERE id = $1 FOR UPDATE", [id]);
  return res.rows[0] ? toRun(res.rows[0]) : null;
}

/** Column of each patchable field: the only names that ever reach SQL text. */
const COLUMNS = {
  state: "state",
  preview: "preview",
  approvalTs: "approval_ts",
  expiresAt: "expires_at",
  startedAt: "started_at",
  deadlineAt: "deadline_at",
  finishedAt: "finished_at",
  outcome: "outcome",
} as const satisfies Partial<Record<keyof Run, string>>;

export type RunPatch = Partial<Pick<Run, keyof typeof COLUMNS>>;

/**
 * Applies a patch only while the run is in one of `from` (a state transition under the
 * row's lock); returns the updated run, or null when it had moved on.
 */
export async function transitionRun(
  tx: Queryable,
  id: number,
  from: readonly RunState[],
  patch: RunPatch,
): Promise<Run | null> {
  const sets: string[] = [];
  const values: unknown[] = [id, from];
  for (const [key, value] of Object.entries(patch)) {
    const col = COLUMNS[key as keyof typeof COLUMNS];
    if (!col || value === undefined) continue;
    values.push(key === "preview" || key === "outcome" ? JSON.stringify(value) : value);
    sets.push(`${col} = $${values.length}`);
  }
  const res = await tx.query<RunRow>(
    `UPDATE runs SET ${sets.join(", ")} WHERE id = $1 AND state = ANY($2::text[]) RETURNING *`,
    values,
  );
  return res.rows[0] ? toRun(res.rows[0]) : null;
}

/**
 * Moves a queued or approved run to running. The unique index on running exclusive runs
 * refuses a second run on the same target: then this returns "busy" and the run waits.
 */
export async function claimRunStart(tx: Queryable, id: number, now: Date): Promise<Run | "busy" | null> {
  await tx.query("SAVEPOINT claim_run");
  try {
    const res = await tx.query<RunRow>(
      `UPDATE runs SET state = 'running', started_at = $2,
              deadline_at = $2::timestamptz + ((timeout_ms + 30000)::text || ' milliseconds')::interval
        WHERE id = $1 AND state = 'approved' RETURNING *`,
      [id, now],
    );
    await tx.query("RELEASE SAVEPOINT claim_run");
    return res.rows[0] ? toRun(res.rows[0]) : null;
  } catch (err) {
    if (sqlState(err) !== "23505") throw err;
    await tx.query("ROLLBACK TO SAVEPOINT claim_run");
    return "busy";
  }
}

/** When `command` last started on `target` (for its cooldown). */
export async function lastStartedAt(db: Queryable, command: string, target: string): Promise<Date | null> {
  const res = await db.query<{ at: Date | null }>(
    "SELECT max(started_at) AS at FROM runs WHERE command = $1 AND target = $2",
    [command, target],
  );
  return res.rows[0]?.at ?? null;
}

/** The exclusive run running on a target now, if any. */
export async function runningOnTarget(
  db: Queryable,
  targetType: string,
  target: string,
): Promise<{ id: number; command: string } | null> {
  const res = await db.query<{ id: string; command: string }>(
    "SELECT id, command FROM runs WHERE target_type = $1 AND target = $2 AND exclusive AND state = 'running'",
    [targetType, target],
  );
  return res.rows[0] ? { id: Number(res.rows[0].id), command: res.rows[0].command } : null;
}

/** Request times of a command's auto-approved runs on a target since `since` (its guardrail's count). */
export async function autoRunsSince(
  db: Queryable,
  command: string,
  target: string,
  since: Date,
): Promise<Date[]> {
  const res = await db.query<{ at: Date }>(
    "SELECT requested_at AS at FROM runs WHERE command = $1 AND target = $2 AND auto_approved AND requested_at > $3",
    [command, target, since],
  );
  return res.rows.map((r) => r.at);
}

export async function approversOf(tx: Queryable, runId: number): Promise<string[]> {
  const res = await tx.query<{ user_id: string }>(
    "SELECT user_id FROM run_approvals WHERE run_id = $1 AND decision = 'approve' ORDER BY at",
    [runId],
  );
  return res.rows.map((r) => r.user_id);
}

/** Records one approval or denial; false when this user already decided on this run. */
export async function insertApproval(
  tx: Queryable,
  runId: number,
  userId: string,
  decision: "approve" | "deny",
  at: Date,
): Promise<boolean> {
  const res = await tx.query(
    "INSERT INTO run_approvals (run_id, user_id, decision, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    [runId, userId, decision, at],
  );
  return res.rowCount === 1;
}

/** Ids of runs in `state` matching a time condition (expired approvals, dead runs, waiting starts). */
export async function runIdsWhere(
  db: Queryable,
  which: "expired_approvals" | "dead_running" | "waiting_start",
  now: Date,
): Promise<number[]> {
  const sql = {
    expired_approvals:
      "SELECT id FROM runs WHERE state = 'awaiting_approval' AND expires_at <= $1 ORDER BY id",
    dead_running: "SELECT id FROM runs WHERE state = 'running' AND deadline_at <= $1 ORDER BY id",
    waiting_start: "SELECT id FROM runs WHERE state = 'approved' AND $1::timestamptz IS NOT NULL ORDER BY id",
  }[which];
  const res = await db.query<{ id: string }>(sql, [now]);
  return res.rows.map((r) => Number(r.id));
}

/** Keeps an output too long for a message until the outbox uploads it. */
export async function saveRunOutput(
  tx: Queryable,
  runId: number,
  filename: string,
  content: string,
): Promise<void> {
  await tx.query(
    "INSERT INTO run_outputs (run_id, filename, content) VALUES ($1, $2, $3) ON CONFLICT (run_id) DO NOTHING",
    [runId, filename, content],
  );
}

export async function getRunOutput(
  db: Queryable,
  runId: number,
): Promise<{ filename: string; content: string } | null> {
  const res = await db.query<{ filename: string; content: string }>(
    "SELECT filename, content FROM run_outputs WHERE run_id = $1",
    [runId],
  );
  return res.rows[0] ?? null;
}

/** Remembers the Slack message holding a run's Approve and Deny buttons. */
export async function setApprovalTs(tx: Queryable, runId: number, ts: string): Promise<void> {
  await tx.query("UPDATE runs SET approval_ts = $2 WHERE id = $1", [runId, ts]);
}
