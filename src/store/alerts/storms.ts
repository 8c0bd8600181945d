import type { AlertStatus, LabelSet } from "../../core/alerts/types.js";
import type { Queryable } from "../pool.js";

/** The storm incident still collecting groups (the latest storm whose incident is not resolved). */
export async function findOpenStormIncident(db: Queryable): Promise<number | null> {
  const res = await db.query<{ incident_id: string }>(
    `SELECT s.incident_id FROM alert_storms s JOIN incidents i ON i.id = s.incident_id
      WHERE i.state <> 'resolved' ORDER BY s.id DESC LIMIT 1`,
  );
  return res.rows[0] ? Number(res.rows[0].incident_id) : null;
}

export async function insertStorm(tx: Queryable, incidentId: number, at: Date): Promise<void> {
  await tx.query("INSERT INTO alert_storms (incident_id, opened_at) VALUES ($1, $2)", [incidentId, at]);
}

export async function isStormIncident(db: Queryable, incidentId: number): Promise<boolean> {
  const res = await db.query("SELECT 1 FROM alert_storms WHERE incident_id = $1", [incidentId]);
  return (res.rowCount ?? 0) > 0;
}

/** A group collected by a storm incident, with its counts, for the storm's summary. */
export interface StormMember {
  groupId: number;
  groupKey: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  status: AlertStatus;
  firing: number;
  resolved: number;
  truncatedAlerts: number;
}

export async function listStormMembers(
  db: Queryable,
  incidentId: number,
  limit: number,
): Promise<{ members: StormMember[]; total: number; firingGroups: number }> {
  const [rows, total] = await Promise.all([
    db.query<{
      id: string;
      group_key: string;
      group_labels: LabelSet;
      common_labels: LabelSet;
      status: AlertStatus;
      truncated_alerts: number;
      firing: string;
      resolved: string;
    }>(
      `SELECT g.id, g.group_key, g.group_labels, g.common_labels, g.status, g.truncated_alerts,
              count(a.*) FILTER (WHERE a.status = 'firing') AS firing,
              count(a.*) FILTER (WHERE a.status = 'resolved') AS resolved
         FROM alert_groups g LEFT JOIN alert_states a ON a.group_id = g.id
        WHERE g.incident_id = $1 AND g.via_storm
        GROUP BY g.id ORDER BY g.status = 'firing' DESC, g.id LIMIT $2`,
      [incidentId, limit],
    ),
    db.query<{ total: string; firing: string }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE status = 'firing') AS firing
         FROM alert_groups WHERE incident_id = $1 AND via_storm`,
      [incidentId],
    ),
  ]);
  return {
    members: rows.rows.map((r) => ({
      groupId: Number(r.id),
      groupKey: r.group_key,
      groupLabels: r.group_labels,
      commonLabels: r.common_labels,
      status: r.status,
      firing: Number(r.firing),
      resolved: Number(r.resolved),
      truncatedAlerts: r.truncated_alerts,
    })),
    total: Number(total.rows[0]!.total),
    firingGroups: Number(total.rows[0]!.firing),
  };
}

/** Whether any group the storm collected may still have a firing alert. */
export async function stormHasFiringGroups(db: Queryable, incidentId: number): Promise<boolean> {
  const res = await db.query(
    "SELECT 1 FROM alert_groups WHERE incident_id = $1 AND via_storm AND status = 'firing' LIMIT 1",
    [incidentId],
  );
  return (res.rowCount ?? 0) > 0;
}
