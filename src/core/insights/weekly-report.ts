import { SEVERITIES } from "../incident/severity.js";
import type { Severity } from "../incident/severity.js";
import type { NoisyAlertFigures, PageLoadFigures, WeekSeverityFigures } from "./figures.js";
import type { ReportWeek } from "./report-week.js";

/** Mean times to acknowledge and resolve of the incidents declared in a week. */
export interface ResponseMeans {
  incidents: number;
  mttaMs: number | null;
  mttrMs: number | null;
}

/** A resolved incident whose postmortem is still to be written. */
export interface PostmortemDue {
  incidentId: number;
  title: string;
  resolvedAt: Date;
}

/** An open follow-up, for the report's list. */
export interface OpenFollowUp {
  incidentId: number;
  number: number;
  text: string;
}

/** What the weekly report is made of, as the store reads it. */
export interface WeeklyReportFigures {
  week: ReportWeek;
  severities: WeekSeverityFigures[];
  means: ResponseMeans;
  previousMeans: ResponseMeans;
  noisiest: NoisyAlertFigures[];
  load: PageLoadFigures[];
  postmortemsDue: { total: number; oldest: PostmortemDue[] };
  openFollowUps: { total: number; oldest: OpenFollowUp[] };
}

/** A mean and how it moved from the week before (negative: faster). */
export interface MeanWithChange {
  ms: number | null;
  previousMs: number | null;
  changeMs: number | null;
}

/** The weekly report: last week's on-call in figures, ready for a view to render. */
export interface WeeklyReport {
  week: ReportWeek;
  incidents: number;
  bySeverity: { severity: Severity; incidents: number }[];
  mtta: MeanWithChange;
  mttr: MeanWithChange;
  breaches: number;
  noisiest: NoisyAlertFigures[];
  /** Busiest first, with names. */
  load: (PageLoadFigures & { name: string })[];
  postmortemsDue: WeeklyReportFigures["postmortemsDue"];
  openFollowUps: WeeklyReportFigures["openFollowUps"];
}

const change = (now: number | null, before: number | null): MeanWithChange => ({
  ms: now,
  previousMs: before,
  changeMs: now !== null && before !== null ? now - before : null,
});

/** Turns the week's figures into the report. Pure. */
export function buildWeeklyReport(f: WeeklyReportFigures, nameOf: (userId: string) => string): WeeklyReport {
  const bySeverity = SEVERITIES.map((severity) => ({
    severity,
    incidents: f.severities.filter((r) => r.severity === severity).reduce((n, r) => n + r.incidents, 0),
  }));
  return {
    week: f.week,
    incidents: bySeverity.reduce((n, s) => n + s.incidents, 0),
    bySeverity,
    mtta: change(f.means.mttaMs, f.previousMeans.mttaMs),
    mttr: change(f.means.mttrMs, f.previousMeans.mttrMs),
    breaches: f.severities.reduce((n, r) => n + r.breaches, 0),
    noisiest: f.noisiest.slice(0, 3),
    load: [...f.load]
      .sort((a, b) => b.pages - a.pages || b.nightPages - a.nightPages || a.userId.localeCompare(b.userId))
      .map((l) => ({ ...l, name: nameOf(l.userId) })),
    postmortemsDue: f.postmortemsDue,
    openFollowUps: f.openFollowUps,
  };
}
