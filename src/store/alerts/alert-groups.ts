import type { AlertState } from "../../core/alerts/merge.js";
import type { AlertLink, AlertObservation, AlertStatus, LabelSet } from "../../core/alerts/types.js";
import type { Severity } from "../../core/incident/severity.js";
import type { Queryable } from "../pool.js";

/**
 * A lifecycle change decided while processing a notification, made afterwards through the
 * incident use-cases: resolve (on_all_resolved), reopen, or raise the severity.
 */
export type PendingAction = "auto_resolve" | "reopen" | "raise_severity";

/** What Firebreak keeps about one alert group (one groupKey). */
export interface AlertGroup {
  id: number;
  groupKey: string;
  receiver: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: LabelSet;
  externalUrl: string;
  status: AlertStatus;
  truncatedAlerts: number;
  incidentId: number | null;
  viaStorm: boolean;
  declaredAt: Date | null;
  routeIndex: number | null;
  escalationPolicy: string | null;
  pendingAction: PendingAction | null;
  /** For `raise_severity`: the severity the new alerts ask for. */
  pendingSeverity: Severity | null;
  silenceId: string | null;
  silencedUntil: Date | null;
  silencedBy: string | null;
  /** `alertmanager`, `integration:<name>` or `heartbeat:<name>`. */
  source: string;
  /** The service routing chose for it, if any. */
  service: string | null;
  /** The maintenance window holding it back (no incident while it lasts), if any. */
  heldByWindow: number | null;
  /** A title its source gave (integrations, heartbeats), for an incident opened later. */
  title: string | null;
}

interface GroupRow {
  id: string;
  group_key: string;
  receiver: string;
  group_labels: LabelSet;
  common_labels: LabelSet;
  common_annotations: LabelSet;
  external_url: string;
  status: AlertStatus;
  truncated_alerts: number;
  incident_id: string | null;
  via_storm: boolean;
  declared_at: Date | null;
  route_index: number | null;
  escalation_policy: string | null;
  pending_action: PendingAction | null;
  pending_severity: Severity | null;
  silence_id: string | null;
  silenced_until: Date | null;
  silenced_by: string | null;
  source: string;
  service: string | null;
  held_by_window: string | null;
  title: string | null;
}

const toGroup = (r: GroupRow): AlertGroup => ({
  id: Number(r.id),
  groupKey: r.group_key,
  receiver: r.receiver,
  groupLabels: r.group_labels,
  commonLabels: r.common_labels,
  commonAnnotations: r.common_annotations,
  externalUrl: r.external_url,
  status: r.status,
  truncatedAlerts: r.truncated_alerts,
  incidentId: r.incident_id === null ? null : Number(r.incident_id),
  viaStorm: r.via_storm,
  declaredAt: r.declared_at,
  routeIndex: r.route_index,
  escalationPolicy: r.escalation_policy,
  pendingAction: r.pending_action,
  pendingSeverity: r.pending_severity,
  silenceId: r.silence_id,
  silencedUntil: r.silenced_until,
  silencedBy: r.silenced_by,
  source: r.source,
  service: r.service,
  heldByWindow: r.held_by_window === null ? null : Number(r.held_by_window),
  title: r.title,
});

/**
 * The group's row, created if it is new, locked for the rest of the transaction: every
 * change to one group is serial, whichever replica or process makes it.
 */
export async function lockOrCreateGroup(
  tx: Queryable,
  g: { groupKey: string; receiver: string; status: AlertStatus; at: Date; source?: string },
): Promise<{ group: AlertGroup; created: boolean }> {
  const inserted = await tx.query(
    `INSERT INTO alert_groups (group_key, receiver, status, first_seen_at, last_notification_at, source)
     VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (group_key) DO NOTHING`,
    [g.groupKey, g.receiver, g.status, g.at, g.source ?? "alertmanager"],
  );
  const res = await tx.query<GroupRow>("SELECT * FROM alert_groups WHERE group_key = $1 FOR UPDATE", [
    g.groupKey,
  ]);
  return { group: toGroup(res.rows[0]!), created: inserted.rowCount === 1 };
}

/** A group's row, without a lock (to route it before the transaction that changes it). */
export async function getGroup(db: Queryable, id: number): Promise<AlertGroup | null> {
  const res = await db.query<GroupRow>("SELECT * FROM alert_groups WHERE id = $1", [id]);
  return res.rows[0] ? toGroup(res.rows[0]) : null;
}

export async function lockGroup(tx: Queryable, id: number): Promise<AlertGroup | null> {
  const res = await tx.query<GroupRow>("SELECT * FROM alert_groups WHERE id = $1 FOR UPDATE", [id]);
  return res.rows[0] ? toGroup(res.rows[0]) : null;
}

/** A group's status as last merged (firing or resolved); null when there is no such group. */
export async function groupStatus(db: Queryable, id: number): Promise<AlertStatus | null> {
  const res = await db.query<{ status: AlertStatus }>("SELECT status FROM alert_groups WHERE id = $1", [id]);
  return res.rows[0]?.status ?? null;
}

/** The group that owns an incident (not a storm's members). */
export async function findGroupOfIncident(db: Queryable, incidentId: number): Promise<AlertGroup | null> {
  const res = await db.query<GroupRow>(
    "SELECT * FROM alert_groups WHERE incident_id = $1 AND NOT via_storm",
    [incidentId],
  );
  return res.rows[0] ? toGroup(res.rows[0]) : null;
}

const GROUP_COLUMNS = {
  receiver: "receiver",
  groupLabels: "group_labels",
  commonLabels: "common_labels",
  commonAnnotations: "common_annotations",
  externalUrl: "external_url",
  status: "status",
  truncatedAlerts: "truncated_alerts",
  incidentId: "incident_id",
  viaStorm: "via_storm",
  declaredAt: "declared_at",
  routeIndex: "route_index",
  escalationPolicy: "escalation_policy",
  pendingAction: "pending_action",
  pendingSeverity: "pending_severity",
  silenceId: "silence_id",
  silencedUntil: "silenced_until",
  silencedBy: "silenced_by",
  source: "source",
  service: "service",
  heldByWindow: "held_by_window",
  title: "title",
} as const satisfies Partial<Record<keyof AlertGroup, string>>;

const JSON_COLUMNS = new Set(["groupLabels", "commonLabels", "commonAnnotations"]);

/** Fields of a group to change (columns mapped here, nowhere else). */
export type AlertGroupPatch = Partial<Pick<AlertGroup, keyof typeof GROUP_COLUMNS>> & {
  lastNotificationAt?: Date;
};

export async function updateGroup(tx: Queryable, id: number, patch: AlertGroupPatch): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const col =
      key === "lastNotificationAt"
        ? "last_notification_at"
        : GROUP_COLUMNS[key as keyof typeof GROUP_COLUMNS];
    if (!col) continue;
    values.push(JSON_COLUMNS.has(key) ? JSON.stringify(value) : value);
    sets.push(`${col} = $${values.length}`);
  }
  if (sets.length === 0) return;
  values.push(id);
  await tx.query(`UPDATE alert_groups SET ${sets.join(", ")} WHERE id = $${values.length}`, values);
}

/** Clears a pending lifecycle change once made (only if it is still the one that was made). */
export async function clearPendingAction(db: Queryable, id: number, action: string): Promise<void> {
  await db.query("UPDATE alert_groups SET pending_action = NULL WHERE id = $1 AND pending_action = $2", [
    id,
    action,
  ]);
}

export async function listGroupsWithPendingAction(
  db: Queryable,
  limit: number,
): Promise<{ id: number; incidentId: number | null; action: PendingAction }[]> {
  const res = await db.query<{
    id: string;
    incident_id: string | null;
    pending_action: PendingAction;
  }>(
    "SELECT id, incident_id, pending_action FROM alert_groups WHERE pending_action IS NOT NULL ORDER BY id LIMIT $1",
    [limit],
  );
  return res.rows.map((r) => ({
    id: Number(r.id),
    incidentId: r.incident_id === null ? null : Number(r.incident_id),
    action: r.pending_action,
  }));
}

/** When groups last opened incident channels of their own since `since` (storm accounting). */
export async function recentDeclarations(db: Queryable, since: Date): Promise<Date[]> {
  const res = await db.query<{ declared_at: Date }>(
    "SELECT declared_at FROM alert_groups WHERE declared_at > $1 AND NOT via_storm",
    [since],
  );
  return res.rows.map((r) => r.declared_at);
}

/** Serialises decisions to open new incidents across replicas (the storm count must be exact). */
export async function lockNewIncidentDecisions(tx: Queryable): Promise<void> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('firebreak.alerts.new_incident'))");
}

/** An alert's stored state plus what is needed to show it. */
export interface StoredAlert extends AlertState {
  fingerprint: string;
  labels: LabelSet;
  annotations: LabelSet;
  generatorUrl: string;
  severity: Severity | null;
  links: AlertLink[];
  values: Record<string, number | null> | null;
}

interface AlertRow {
  fingerprint: string;
  status: AlertStatus;
  starts_at: Date;
  ends_at: Date | null;
  last_notification_at: Date;
  labels: LabelSet;
  annotations: LabelSet;
  generator_url: string;
  severity: Severity | null;
  links: AlertLink[];
  metric_values: Record<string, number | null> | null;
}

const toAlert = (r: AlertRow): StoredAlert => ({
  fingerprint: r.fingerprint,
  status: r.status,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  lastNotificationAt: r.last_notification_at,
  labels: r.labels,
  annotations: r.annotations,
  generatorUrl: r.generator_url,
  severity: r.severity,
  links: r.links,
  values: r.metric_values,
});

export async function loadAlertStates(db: Queryable, groupId: number): Promise<StoredAlert[]> {
  const res = await db.query<AlertRow>("SELECT * FROM alert_states WHERE group_id = $1", [groupId]);
  return res.rows.map(toAlert);
}

/** The alerts of a group to show: firing first, newest first, at most `limit`; and the counts. */
export async function listGroupAlerts(
  db: Queryable,
  groupId: number,
  limit: number,
): Promise<{ alerts: StoredAlert[]; firing: number; resolved: number }> {
  const [rows, counts] = await Promise.all([
    db.query<AlertRow>(
      `SELECT * FROM alert_states WHERE group_id = $1
        ORDER BY status = 'firing' DESC, starts_at DESC, fingerprint LIMIT $2`,
      [groupId, limit],
    ),
    db.query<{ firing: string; resolved: string }>(
      `SELECT count(*) FILTER (WHERE status = 'firing') AS firing,
              count(*) FILTER (WHERE status = 'resolved') AS resolved
         FROM alert_states WHERE group_id = $1`,
      [groupId],
    ),
  ]);
  const c = counts.rows[0]!;
  return { alerts: rows.rows.map(toAlert), firing: Number(c.firing), resolved: Number(c.resolved) };
}

/** Writes the states of the alerts a notification listed, with the labels it reported. */
export async function saveAlertStates(
  tx: Queryable,
  groupId: number,
  states: ReadonlyMap<string, AlertState>,
  listed: readonly AlertObservation[],
): Promise<void> {
  const records = listed.flatMap((o) => {
    const s = states.get(o.fingerprint);
    return s
      ? [
          {
            fp: o.fingerprint,
            status: s.status,
            starts_at: s.startsAt,
            ends_at: s.endsAt,
            last_at: s.lastNotificationAt,
            labels: o.labels,
            annotations: o.annotations,
            gen: o.generatorURL,
            severity: o.severity ?? null,
            links: o.links ?? [],
            vals: o.values ?? null,
          },
        ]
      : [];
  });
  if (records.length === 0) return;
  // One statement for the whole group: a 1000-alert notification is one round trip.
  await tx.query(
    `INSERT INTO alert_states (group_id, fingerprint, status, starts_at, ends_at, last_notification_at,
                               labels, annotations, generator_url, severity, links, metric_values)
     SELECT DISTINCT ON (r.fp) $1::bigint, r.fp, r.status, r.starts_at, r.ends_at, r.last_at, r.labels,
            r.annotations, r.gen, r.severity, r.links, r.vals
       FROM jsonb_to_recordset($2::jsonb) AS r(fp text, status text, starts_at timestamptz,
            ends_at timestamptz, last_at timestamptz, labels jsonb, annotations jsonb, gen text,
            severity text, links jsonb, vals jsonb)
     ON CONFLICT (group_id, fingerprint) DO UPDATE SET
       status = EXCLUDED.status, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
       last_notification_at = EXCLUDED.last_notification_at, labels = EXCLUDED.labels,
       annotations = EXCLUDED.annotations, generator_url = EXCLUDED.generator_url,
       severity = EXCLUDED.severity, links = EXCLUDED.links, metric_values = EXCLUDED.metric_values`,
    [groupId, JSON.stringify(records)],
  );
}

/** Forgets the resolved alerts of a group (when a new incident starts it afresh). */
export async function deleteResolvedAlerts(
  tx: Queryable,
  groupId: number,
  keep: readonly string[],
): Promise<void> {
  await tx.query(
    "DELETE FROM alert_states WHERE group_id = $1 AND status = 'resolved' AND NOT (fingerprint = ANY($2::text[]))",
    [groupId, keep],
  );
}
