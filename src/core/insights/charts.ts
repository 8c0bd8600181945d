import { SEVERITIES } from "../incident/severity.js";
import type { Severity } from "../incident/severity.js";
import type { Chart, Series } from "./chart.js";
import type { CommandUsage, NoisyAlertFigures, PageLoadFigures, WeekSeverityFigures } from "./figures.js";
import { alertGroupName } from "./figures.js";

/** The severities a chart draws: the filter's, else every one with incidents in the range. */
export function severitiesShown(
  rows: readonly WeekSeverityFigures[],
  filter: readonly Severity[],
): Severity[] {
  if (filter.length) return [...filter];
  return SEVERITIES.filter((s) => rows.some((r) => r.severity === s && r.incidents > 0));
}

function perWeek(
  rows: readonly WeekSeverityFigures[],
  weeks: readonly string[],
  severity: Severity,
  pick: (r: WeekSeverityFigures) => number | null,
  empty: number | null,
): (number | null)[] {
  const byWeek = new Map(rows.filter((r) => r.severity === severity).map((r) => [r.week, r]));
  return weeks.map((w) => {
    const r = byWeek.get(w);
    return r ? pick(r) : empty;
  });
}

/** Time to acknowledge or to resolve per week: median and p90 lines, one colour per severity. */
export function responseTimeChart(
  which: "acknowledge" | "resolve",
  rows: readonly WeekSeverityFigures[],
  weeks: readonly string[],
  severities: readonly Severity[],
): Chart {
  const ack = which === "acknowledge";
  const series: Series[] = severities.flatMap((sev) => [
    {
      key: `${sev}-p50`,
      label: `${sev} median`,
      values: perWeek(rows, weeks, sev, (r) => (ack ? r.ttaP50Ms : r.ttrP50Ms), null),
      unit: "duration" as const,
      group: sev,
    },
    {
      key: `${sev}-p90`,
      label: `${sev} p90`,
      values: perWeek(rows, weeks, sev, (r) => (ack ? r.ttaP90Ms : r.ttrP90Ms), null),
      unit: "duration" as const,
      group: sev,
      dashed: true,
    },
  ]);
  return {
    id: ack ? "time-to-acknowledge" : "time-to-resolve",
    title: ack ? "Time to acknowledge" : "Time to resolve",
    description: ack
      ? "From declaration to the first acknowledgement, for incidents declared each week: median (solid) and 90th percentile (dashed) per severity."
      : "From declaration to resolution, for incidents declared each week and resolved since: median (solid) and 90th percentile (dashed) per severity.",
    kind: "line",
    categoryLabel: "week",
    categories: [...weeks],
    series,
    emptyText: ack
      ? "No incident in this range was acknowledged."
      : "No incident in this range was resolved.",
  };
}

/** Incidents declared per week, stacked by severity. */
export function incidentsPerWeekChart(
  rows: readonly WeekSeverityFigures[],
  weeks: readonly string[],
  severities: readonly Severity[],
): Chart {
  return {
    id: "incidents-per-week",
    title: "Incidents per week",
    description: "Incidents declared each week, stacked by severity.",
    kind: "stacked-bars",
    categoryLabel: "week",
    categories: [...weeks],
    series: severities.map((sev) => ({
      key: sev,
      label: sev,
      values: perWeek(rows, weeks, sev, (r) => r.incidents, 0),
      unit: "count" as const,
      group: sev,
    })),
    emptyText: "No incidents in this range.",
  };
}

/** Response-target breaches per week, stacked by severity; the share of incidents in the table. */
export function breachesChart(
  rows: readonly WeekSeverityFigures[],
  weeks: readonly string[],
  severities: readonly Severity[],
): Chart {
  const totals = weeks.map((w) => rows.filter((r) => r.week === w && severities.includes(r.severity)));
  return {
    id: "response-target-breaches",
    title: "Response-target breaches",
    description:
      "Incidents declared each week that were not acknowledged within their severity's response target.",
    kind: "stacked-bars",
    categoryLabel: "week",
    categories: [...weeks],
    series: [
      ...severities.map((sev) => ({
        key: sev,
        label: sev,
        values: perWeek(rows, weeks, sev, (r) => r.breaches, 0),
        unit: "count" as const,
        group: sev,
      })),
      {
        key: "share",
        label: "share of incidents",
        values: totals.map((rs) => {
          const incidents = rs.reduce((n, r) => n + r.incidents, 0);
          return incidents ? rs.reduce((n, r) => n + r.breaches, 0) / incidents : null;
        }),
        unit: "ratio" as const,
        tableOnly: true,
      },
    ],
    emptyText: "No response target was missed in this range.",
  };
}

/** Pages per person, and those at night on their own clock; busiest first. */
export function onCallLoadChart(rows: readonly PageLoadFigures[], nameOf: (userId: string) => string): Chart {
  const sorted = [...rows].sort(
    (a, b) => b.pages - a.pages || b.nightPages - a.nightPages || a.userId.localeCompare(b.userId),
  );
  return {
    id: "on-call-load",
    title: "On-call load",
    description:
      "Pages each person received, and how many of them came between 22:00 and 07:00 in that person's time zone.",
    kind: "bars",
    horizontal: true,
    categoryLabel: "person",
    categories: sorted.map((r) => nameOf(r.userId)),
    categoryDetails: sorted.map((r) => `${r.userId} · ${r.timeZone}`),
    series: [
      { key: "pages", label: "pages", values: sorted.map((r) => r.pages), unit: "count", group: "pages" },
      {
        key: "night",
        label: "night pages (22:00–07:00)",
        values: sorted.map((r) => r.nightPages),
        unit: "count",
        group: "night",
      },
    ],
    emptyText: "Nobody was paged in this range.",
  };
}

/** The noisiest alert groups: how often they fired and resolved on their own; median duration in the table. */
export function noisyAlertsChart(rows: readonly NoisyAlertFigures[]): Chart {
  return {
    id: "noisy-alerts",
    title: "Noisiest alerts",
    description:
      "Alert groups by how many alerts fired; how many resolved before anyone acknowledged the incident, and how long an alert fired (median).",
    kind: "bars",
    horizontal: true,
    categoryLabel: "alert group",
    categories: rows.map((r) => alertGroupName(r.labels, r.groupKey)),
    categoryDetails: rows.map((r) => r.groupKey),
    series: [
      { key: "fired", label: "fired", values: rows.map((r) => r.fired), unit: "count", group: "fired" },
      {
        key: "own",
        label: "resolved on their own",
        values: rows.map((r) => r.resolvedOnOwn),
        unit: "count",
        group: "own",
      },
      {
        key: "resolved",
        label: "resolved",
        values: rows.map((r) => r.resolved),
        unit: "count",
        tableOnly: true,
      },
      {
        key: "median",
        label: "median duration",
        values: rows.map((r) => r.medianDurationMs),
        unit: "duration",
        tableOnly: true,
      },
    ],
    emptyText: "No alerts fired in this range.",
  };
}

/** The most used catalog commands, with how many of their runs succeeded. */
export function commandsChart(rows: readonly CommandUsage[]): Chart {
  return {
    id: "top-commands",
    title: "Most used commands",
    description: "Runs of each catalog command requested in the range, and how many succeeded.",
    kind: "bars",
    horizontal: true,
    categoryLabel: "command",
    categories: rows.map((r) => r.command),
    series: [
      { key: "runs", label: "runs", values: rows.map((r) => r.runs), unit: "count", group: "runs" },
      {
        key: "succeeded",
        label: "succeeded",
        values: rows.map((r) => r.succeeded),
        unit: "count",
        group: "succeeded",
      },
      { key: "failed", label: "failed", values: rows.map((r) => r.failed), unit: "count", tableOnly: true },
    ],
    emptyText: "No commands were run in this range.",
  };
}
