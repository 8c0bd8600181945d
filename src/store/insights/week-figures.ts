import type { Severity } from "../../core/incident/severity.js";
import type { InsightsFilter } from "../../core/insights/filter.js";
import type { WeekSeverityFigures } from "../../core/insights/figures.js";
import type { Queryable } from "../pool.js";
import { Params, incidentConditions, num, numOrNull } from "./conditions.js";

interface Row {
  week: string;
  severity: Severity;
  incidents: string;
  acknowledged: string;
  tta_p50: number | null;
  tta_p90: number | null;
  resolved: string;
  ttr_p50: number | null;
  ttr_p90: number | null;
  breaches: string;
}

/**
 * Incidents declared in the range, per local week and severity: how many, time to
 * acknowledge and to resolve (median, p90, in ms) and how many missed their response
 * target (an `sla.breached` event on their timeline).
 */
export async function weekFigures(db: Queryable, f: InsightsFilter): Promise<WeekSeverityFigures[]> {
  const p = new Params();
  const tz = p.add(f.timeZone);
  const from = p.add(f.from);
  const to = p.add(f.to);
  const sql = `
    WITH breached AS (
      SELECT DISTINCT incident_id FROM timeline_events
       WHERE kind = 'sla.breached' AND at >= ${from}
    ), scoped AS (
      SELECT i.severity, i.declared_at,
             EXTRACT(EPOCH FROM i.acknowledged_at - i.declared_at) * 1000 AS tta,
             CASE WHEN i.state = 'resolved' THEN EXTRACT(EPOCH FROM i.resolved_at - i.declared_at) * 1000 END AS ttr,
             b.incident_id IS NOT NULL AS breached
        FROM incidents i LEFT JOIN breached b ON b.incident_id = i.id
       WHERE i.declared_at >= ${from} AND i.declared_at < ${to} AND ${incidentConditions(f, p)}
    )
    SELECT to_char(date_trunc('week', declared_at AT TIME ZONE ${tz}), 'YYYY-MM-DD') AS week, severity,
           count(*) AS incidents,
           count(tta) AS acknowledged,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY tta) AS tta_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY tta) AS tta_p90,
           count(ttr) AS resolved,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ttr) AS ttr_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY ttr) AS ttr_p90,
           count(*) FILTER (WHERE breached) AS breaches
      FROM scoped GROUP BY 1, 2 ORDER BY 1, 2`;
  const res = await db.query<Row>(sql, p.values);
  return res.rows.map((r) => ({
    week: r.week,
    severity: r.severity,
    incidents: num(r.incidents),
    acknowledged: num(r.acknowledged),
    ttaP50Ms: roundMs(r.tta_p50),
    ttaP90Ms: roundMs(r.tta_p90),
    resolved: num(r.resolved),
    ttrP50Ms: roundMs(r.ttr_p50),
    ttrP90Ms: roundMs(r.ttr_p90),
    breaches: num(r.breaches),
  }));
}

const roundMs = (v: number | null) => {
  const n = numOrNull(v);
  return n === null ? null : Math.round(n);
};
