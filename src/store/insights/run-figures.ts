import type { InsightsFilter } from "../../core/insights/filter.js";
import type { CommandUsage, RunTotals } from "../../core/insights/figures.js";
import type { Queryable } from "../pool.js";
import { Params, incidentConditions, narrowsIncidents, num } from "./conditions.js";

/** The most commands the top list shows. */
export const MAX_COMMANDS = 10;

// Runs outside any incident count only while the filter does not narrow incidents.
function scope(f: InsightsFilter, p: Params): string {
  const range = `r.requested_at >= ${p.add(f.from)} AND r.requested_at < ${p.add(f.to)}`;
  return narrowsIncidents(f)
    ? `FROM runs r JOIN incidents i ON i.id = r.incident_id WHERE ${range} AND ${incidentConditions(f, p)}`
    : `FROM runs r WHERE ${range}`;
}

/** Runs requested in the range: how many started, succeeded, failed, or never ran. */
export async function runTotals(db: Queryable, f: InsightsFilter): Promise<RunTotals> {
  const p = new Params();
  const res = await db.query<Record<keyof RunTotals, string>>(
    `SELECT count(*) AS requested,
            count(*) FILTER (WHERE r.state IN ('running', 'succeeded', 'failed', 'interrupted')) AS started,
            count(*) FILTER (WHERE r.state = 'succeeded') AS succeeded,
            count(*) FILTER (WHERE r.state IN ('failed', 'interrupted')) AS failed,
            count(*) FILTER (WHERE r.state IN ('denied', 'expired')) AS "notRun"
       ${scope(f, p)}`,
    p.values,
  );
  const r = res.rows[0]!;
  return {
    requested: num(r.requested),
    started: num(r.started),
    succeeded: num(r.succeeded),
    failed: num(r.failed),
    notRun: num(r.notRun),
  };
}

/** The most requested commands in the range, with their outcomes. */
export async function commandUsage(db: Queryable, f: InsightsFilter): Promise<CommandUsage[]> {
  const p = new Params();
  const res = await db.query<{ command: string; runs: string; succeeded: string; failed: string }>(
    `SELECT r.command, count(*) AS runs,
            count(*) FILTER (WHERE r.state = 'succeeded') AS succeeded,
            count(*) FILTER (WHERE r.state IN ('failed', 'interrupted')) AS failed
       ${scope(f, p)}
      GROUP BY r.command ORDER BY runs DESC, r.command LIMIT ${MAX_COMMANDS}`,
    p.values,
  );
  return res.rows.map((r) => ({
    command: r.command,
    runs: num(r.runs),
    succeeded: num(r.succeeded),
    failed: num(r.failed),
  }));
}
