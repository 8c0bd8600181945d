import type { IncidentState } from "../../core/incident/state-machine.js";
import type { Severity } from "../../core/incident/severity.js";
import type { Queryable } from "../pool.js";

/** One item of an incident's response checklist. */
export interface ChecklistItem {
  id: number;
  text: string;
  doneBy?: string;
  doneAt?: string;
}

/** An incident as the rest of the code sees it (columns mapped once, here). */
export interface Incident {
  id: number;
  title: string;
  description: string;
  severity: Severity;
  state: IncidentState;
  source: string;
  declaredBy: string;
  commander: string | null;
  comms: string | null;
  scribe: string | null;
  channelId: string | null;
  channelName: string | null;
  summaryTs: string | null;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolutionSummary: string | null;
  checklist: ChecklistItem[];
  /** The escalation policy its declaration asked for (alert routing); null: by severity. */
  escalationPolicy: string | null;
  /** The service it concerns (`services:` in firebreak.yaml), if any. */
  service: string | null;
  version: number;
}

export interface IncidentRow {
  id: string;
  title: string;
  description: string;
  severity: Severity;
  state: IncidentState;
  source: string;
  declared_by: string;
  commander: string | null;
  comms: string | null;
  scribe: string | null;
  channel_id: string | null;
  channel_name: string | null;
  summary_ts: string | null;
  declared_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  mitigated_at: Date | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution_summary: string | null;
  checklist: ChecklistItem[];
  escalation_policy: string | null;
  service: string | null;
  version: number;
}

export const toIncident = (r: IncidentRow): Incident => ({
  id: Number(r.id),
  title: r.title,
  description: r.description,
  severity: r.severity,
  state: r.state,
  source: r.source,
  declaredBy: r.declared_by,
  commander: r.commander,
  comms: r.comms,
  scribe: r.scribe,
  channelId: r.channel_id,
  channelName: r.channel_name,
  summaryTs: r.summary_ts,
  declaredAt: r.declared_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  mitigatedAt: r.mitigated_at,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
  resolutionSummary: r.resolution_summary,
  checklist: r.checklist,
  escalationPolicy: r.escalation_policy,
  service: r.service,
  version: r.version,
});

export interface NewIncident {
  title: string;
  description: string;
  severity: Severity;
  source: string;
  declaredBy: string;
  commander: string | null;
  declaredAt: Date;
  checklist: ChecklistItem[];
  escalationPolicy?: string | null;
  service?: string | null;
}

export async function insertIncident(tx: Queryable, i: NewIncident): Promise<Incident> {
  const res = await tx.query<IncidentRow>(
    `INSERT INTO incidents (title, description, severity, state, source, declared_by, commander, declared_at, checklist, escalation_policy, service)
     VALUES ($1, $2, $3, 'declared', $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [
      i.title,
      i.description,
      i.severity,
      i.source,
      i.declaredBy,
      i.commander,
      i.declaredAt,
      JSON.stringify(i.checklist),
      i.escalationPolicy ?? null,
      i.service ?? null,
    ],
  );
  return toIncident(res.rows[0]!);
}

export async function getIncident(db: Queryable, id: number): Promise<Incident | null> {
  const res = await db.query<IncidentRow>("SELECT * FROM incidents WHERE id = $1", [id]);
  return res.rows[0] ? toIncident(res.rows[0]) : null;
}

/** Reads and row-locks an incident for the rest of the transaction: changes to one incident are serial. */
export async function lockIncident(tx: Queryable, id: number): Promise<Incident | null> {
  const res = await tx.query<IncidentRow>("SELECT * FROM incidents WHERE id = $1 FOR UPDATE", [id]);
  return res.rows[0] ? toIncident(res.rows[0]) : null;
}

export async function findIncidentByChannel(db: Queryable, channelId: string): Promise<Incident | null> {
  const res = await db.query<IncidentRow>("SELECT * FROM incidents WHERE channel_id = $1", [channelId]);
  return res.rows[0] ? toIncident(res.rows[0]) : null;
}

/** Incidents, newest first: open ones only, or of one service only, when asked. */
export async function listIncidents(
  db: Queryable,
  opts: { openOnly?: boolean; limit?: number; service?: string } = {},
): Promise<Incident[]> {
  const where = [
    ...(opts.openOnly ? ["state <> 'resolved'"] : []),
    ...(opts.service !== undefined ? ["service = $2"] : []),
  ];
  const res = await db.query<IncidentRow>(
    `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT $1`,
    [opts.limit ?? 100, ...(opts.service !== undefined ? [opts.service] : [])],
  );
  return res.rows.map(toIncident);
}

/** Column of each patchable field: the only names that ever reach SQL text. */
const COLUMNS = {
  title: "title",
  description: "description",
  severity: "severity",
  state: "state",
  commander: "commander",
  comms: "comms",
  scribe: "scribe",
  channelId: "channel_id",
  channelName: "channel_name",
  summaryTs: "summary_ts",
  acknowledgedAt: "acknowledged_at",
  acknowledgedBy: "acknowledged_by",
  mitigatedAt: "mitigated_at",
  resolvedAt: "resolved_at",
  resolvedBy: "resolved_by",
  resolutionSummary: "resolution_summary",
  checklist: "checklist",
} as const satisfies Partial<Record<keyof Incident, string>>;

export type IncidentPatch = Partial<Pick<Incident, keyof typeof COLUMNS>>;

/** Applies a patch and bumps the version; returns the updated incident. */
export async function updateIncident(tx: Queryable, id: number, patch: IncidentPatch): Promise<Incident> {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const col = COLUMNS[key as keyof typeof COLUMNS];
    if (!col || value === undefined) continue;
    values.push(key === "checklist" ? JSON.stringify(value) : value);
    sets.push(`${col} = $${values.length}`);
  }
  values.push(id);
  const res = await tx.query<IncidentRow>(
    `UPDATE incidents SET ${[...sets, "version = version + 1", "updated_at = now()"].join(", ")}
     WHERE id = $${values.length} RETURNING *`,
    values,
  );
  return toIncident(res.rows[0]!);
}

/**
 * Records an inbound request key; false when it was seen before (a Slack retry, a
 * duplicate delivery). Use inside the transaction doing the work, so a failure forgets it.
 */
export async function claimRequestKey(tx: Queryable, key: string): Promise<boolean> {
  const res = await tx.query("INSERT INTO inbound_requests (key) VALUES ($1) ON CONFLICT DO NOTHING", [key]);
  return res.rowCount === 1;
}
