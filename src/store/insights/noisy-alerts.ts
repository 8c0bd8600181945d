import type { InsightsFilter } from "../../core/insights/filter.js";
import type { NoisyAlertFigures } from "../../core/insights/figures.js";
import type { Queryable } from "../pool.js";
import { Params, incidentConditions, num, numOrNull } from "./conditions.js";

/** The most alert groups the noisiest list shows. */
export const MAX_ALERT_GROUPS = 10;

// A person acknowledged (a Slack user id), not Alertmanager resolving on its own.
const HUMAN = "'^[UW][A-Z0-9]+$'";

/**
 * The noisiest alert groups in the range, from the alert events of the timeline: alerts
 * that fired (new or again), that resolved, and that resolved before anyone acknowledged
 * the incident; the median time an alert fired, from the resolved alerts listed.
 */
export async function noisyAlerts(
  db: Queryable,
  f: InsightsFilter,
  limit = MAX_ALERT_GROUPS,
): Promise<NoisyAlertFigures[]> {
  const p = new Params();
  const sql = `
    WITH ev AS (
      SELECT e.kind, e.at, e.data, e.data->>'groupKey' AS group_key, i.acknowledged_at, i.acknowledged_by
        FROM timeline_events e JOIN incidents i ON i.id = e.incident_id
       WHERE e.kind IN ('alert.added', 'alert.refired', 'alert.resolved')
         AND e.at >= ${p.add(f.from)} AND e.at < ${p.add(f.to)} AND ${incidentConditions(f, p)}
    ), per_group AS (
      SELECT group_key,
             COALESCE(sum((data->>'count')::int) FILTER (WHERE kind <> 'alert.resolved'), 0) AS fired,
             COALESCE(sum((data->>'count')::int) FILTER (WHERE kind = 'alert.resolved'), 0) AS resolved,
             COALESCE(sum((data->>'count')::int) FILTER (
               WHERE kind = 'alert.resolved'
                 AND NOT (acknowledged_at IS NOT NULL AND acknowledged_at <= at AND acknowledged_by ~ ${HUMAN})), 0) AS own
        FROM ev WHERE group_key IS NOT NULL GROUP BY group_key
    ), top AS (
      SELECT * FROM per_group ORDER BY fired DESC, resolved DESC, group_key LIMIT ${p.add(Math.min(limit, MAX_ALERT_GROUPS))}
    ), durations AS (
      SELECT ev.group_key,
             percentile_cont(0.5) WITHIN GROUP (
               ORDER BY EXTRACT(EPOCH FROM (a->>'endsAt')::timestamptz - (a->>'startsAt')::timestamptz) * 1000) AS median
        FROM ev CROSS JOIN LATERAL jsonb_array_elements(
               CASE WHEN jsonb_typeof(ev.data->'alerts') = 'array' THEN ev.data->'alerts' ELSE '[]'::jsonb END) a
       WHERE ev.kind = 'alert.resolved' AND a ? 'endsAt' AND a ? 'startsAt'
         AND ev.group_key IN (SELECT group_key FROM top)
       GROUP BY ev.group_key
    )
    SELECT t.group_key, t.fired, t.resolved, t.own, d.median, g.group_labels
      FROM top t LEFT JOIN durations d USING (group_key) LEFT JOIN alert_groups g ON g.group_key = t.group_key
     ORDER BY t.fired DESC, t.resolved DESC, t.group_key`;
  const res = await db.query<{
    group_key: string;
    fired: string;
    resolved: string;
    own: string;
    median: number | null;
    group_labels: Record<string, string> | null;
  }>(sql, p.values);
  return res.rows.map((r) => ({
    groupKey: r.group_key,
    labels: r.group_labels ?? {},
    fired: num(r.fired),
    resolved: num(r.resolved),
    resolvedOnOwn: num(r.own),
    medianDurationMs: r.median === null ? null : Math.round(numOrNull(r.median)!),
  }));
}
