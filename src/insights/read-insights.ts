import type pg from "pg";
import { buildInsights } from "../core/insights/build-insights.js";
import type { Insights } from "../core/insights/build-insights.js";
import type { InsightsFilter } from "../core/insights/filter.js";
import { displayName } from "../core/people.js";
import type { PeopleDirectory } from "../core/ports.js";
import { noisyAlerts } from "../store/insights/noisy-alerts.js";
import { commandUsage, runTotals } from "../store/insights/run-figures.js";
import { weekFigures } from "../store/insights/week-figures.js";
import { loadPageLoad } from "./page-load.js";

/** What the insights read: Postgres (several aggregates at once) and who people are. */
export interface InsightsDeps {
  pool: pg.Pool;
  people: PeopleDirectory;
}

/**
 * The insights for a filter: the SQL aggregates (run side by side), people's names and
 * time zones (night pages are judged on the paged person's own clock), turned into charts.
 */
export async function readInsights(deps: InsightsDeps, filter: InsightsFilter): Promise<Insights> {
  const [weeks, { load, people }, noisy, runs, commands] = await Promise.all([
    weekFigures(deps.pool, filter),
    loadPageLoad(deps, filter),
    noisyAlerts(deps.pool, filter),
    runTotals(deps.pool, filter),
    commandUsage(deps.pool, filter),
  ]);
  return buildInsights({ weeks, pageLoad: load, noisyAlerts: noisy, runs, commands }, filter, (id) =>
    displayName(id, people),
  );
}
