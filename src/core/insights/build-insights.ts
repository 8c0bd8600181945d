import type { Chart } from "./chart.js";
import {
  breachesChart,
  commandsChart,
  incidentsPerWeekChart,
  noisyAlertsChart,
  onCallLoadChart,
  responseTimeChart,
  severitiesShown,
} from "./charts.js";
import type { InsightsFilter } from "./filter.js";
import { weeksOf } from "./filter.js";
import type { InsightsFigures, RunTotals } from "./figures.js";
import { successRate } from "./figures.js";

/** The insights page as data: its charts in order and the run figures. */
export interface Insights {
  filter: InsightsFilter;
  charts: Chart[];
  totals: { incidents: number; breaches: number; pages: number; nightPages: number };
  runs: RunTotals & { successRate: number | null };
}

/** Turns the aggregates into the page's charts. Pure: the same figures give the same charts. */
export function buildInsights(
  figures: InsightsFigures,
  filter: InsightsFilter,
  nameOf: (userId: string) => string,
): Insights {
  const weeks = weeksOf(filter);
  const severities = severitiesShown(figures.weeks, filter.severities);
  return {
    filter,
    charts: [
      responseTimeChart("acknowledge", figures.weeks, weeks, severities),
      responseTimeChart("resolve", figures.weeks, weeks, severities),
      incidentsPerWeekChart(figures.weeks, weeks, severities),
      breachesChart(figures.weeks, weeks, severities),
      onCallLoadChart(figures.pageLoad, nameOf),
      noisyAlertsChart(figures.noisyAlerts),
      commandsChart(figures.commands),
    ],
    totals: {
      incidents: figures.weeks.reduce((n, r) => n + r.incidents, 0),
      breaches: figures.weeks.reduce((n, r) => n + r.breaches, 0),
      pages: figures.pageLoad.reduce((n, r) => n + r.pages, 0),
      nightPages: figures.pageLoad.reduce((n, r) => n + r.nightPages, 0),
    },
    runs: { ...figures.runs, successRate: successRate(figures.runs) },
  };
}
