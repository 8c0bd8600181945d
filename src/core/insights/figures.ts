import type { Severity } from "../incident/severity.js";

/** Incidents declared in one week with one severity, and how fast they were answered. */
export interface WeekSeverityFigures {
  /** Monday of the week (YYYY-MM-DD, in the config's time zone). */
  week: string;
  severity: Severity;
  incidents: number;
  acknowledged: number;
  ttaP50Ms: number | null;
  ttaP90Ms: number | null;
  resolved: number;
  ttrP50Ms: number | null;
  ttrP90Ms: number | null;
  /** Incidents that missed their response target (an `sla.breached` event). */
  breaches: number;
}

/** Pages one person received; night pages fell between 22:00 and 07:00 in their time zone. */
export interface PageLoadFigures {
  userId: string;
  pages: number;
  nightPages: number;
  /** The time zone night was judged in. */
  timeZone: string;
}

/** One alert group (Alertmanager's groupKey) and how noisy it was. */
export interface NoisyAlertFigures {
  groupKey: string;
  labels: Record<string, string>;
  /** Alerts that started firing (new or again). */
  fired: number;
  /** Alerts that resolved. */
  resolved: number;
  /** Alerts that resolved before anyone acknowledged the incident. */
  resolvedOnOwn: number;
  /** Median time from firing to resolved, over the alerts that resolved. */
  medianDurationMs: number | null;
}

/** Runs of catalog commands in the range. */
export interface RunTotals {
  requested: number;
  started: number;
  succeeded: number;
  failed: number;
  /** Denied, expired or refused before anything ran. */
  notRun: number;
}

export interface CommandUsage {
  command: string;
  runs: number;
  succeeded: number;
  failed: number;
}

/** Everything the insights page shows, as the SQL aggregates return it. */
export interface InsightsFigures {
  weeks: WeekSeverityFigures[];
  pageLoad: PageLoadFigures[];
  noisyAlerts: NoisyAlertFigures[];
  runs: RunTotals;
  commands: CommandUsage[];
}

/** Night, for on-call load: from 22:00 to 07:00 on the paged person's own clock. */
export const NIGHT = { startHour: 22, endHour: 7 } as const;

/** True when an hour of the day (0–23) is at night. */
export function isNightHour(hour: number): boolean {
  return hour >= NIGHT.startHour || hour < NIGHT.endHour;
}

/** Success rate of the runs that ran to an end (null when none did). */
export function successRate(r: RunTotals): number | null {
  const ended = r.succeeded + r.failed;
  return ended ? r.succeeded / ended : null;
}

/**
 * A readable name for an alert group: its alertname, then the other labels that tell
 * groups apart (`HighErrorRate · namespace=shop`).
 */
export function alertGroupName(labels: Readonly<Record<string, string>>, groupKey = ""): string {
  const rest = Object.entries(labels)
    .filter(([k]) => k !== "alertname")
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  const name = labels.alertname ?? (rest.length ? "" : groupKey || "(no labels)");
  return [name, ...rest].filter(Boolean).join(" · ");
}
