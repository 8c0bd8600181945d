import type pg from "pg";
import type { Logger } from "pino";
import type { WeeklyReportConfig } from "../config-schema/reports.js";
import { filterQuery } from "../core/insights/filter.js";
import type { InsightsFilter } from "../core/insights/filter.js";
import { REPORT_CATCH_UP_MS, dueReport, previousWeek } from "../core/insights/report-week.js";
import type { ReportWeek } from "../core/insights/report-week.js";
import { buildWeeklyReport } from "../core/insights/weekly-report.js";
import type { WeeklyReport } from "../core/insights/weekly-report.js";
import { displayName } from "../core/people.js";
import type { Clock, PeopleDirectory } from "../core/ports.js";
import { openFollowUps } from "../store/follow-ups/follow-ups.js";
import { noisyAlerts } from "../store/insights/noisy-alerts.js";
import { weekFigures } from "../store/insights/week-figures.js";
import { postmortemsDue, responseMeans } from "../store/insights/weekly-figures.js";
import { withTransaction } from "../store/pool.js";
import { claimWeeklyReport } from "../store/weekly-reports/weekly-reports.js";
import { loadPageLoad } from "./page-load.js";
import type { ReportNotifier } from "./ports.js";

/** What the weekly report reads and where it goes. */
export interface WeeklyReportDeps {
  pool: pg.Pool;
  clock: Clock;
  /** The config's zone (weeks are its Mondays to Sundays) and the report's schedule and channel. */
  timeZone: string;
  schedule: WeeklyReportConfig | undefined;
  people: PeopleDirectory;
  notifier: ReportNotifier;
  /** FIREBREAK_PUBLIC_URL: the report links to /insights there. */
  publicUrl?: string;
  log: Logger;
}

const LISTED = 5;

/** The insights filter covering exactly one report week. */
export const weekFilter = (week: ReportWeek, timeZone: string): InsightsFilter => ({
  from: week.from,
  to: week.to,
  fromDay: week.start,
  toDay: week.end,
  timeZone,
  severities: [],
});

/** The /insights page for the week, when Firebreak knows its public URL. */
export const insightsUrl = (deps: Pick<WeeklyReportDeps, "publicUrl" | "timeZone">, week: ReportWeek) =>
  deps.publicUrl ? `${deps.publicUrl}/insights?${filterQuery(weekFilter(week, deps.timeZone))}` : undefined;

/** The report of one week (Monday to Sunday in the config's zone), from the SQL aggregates. */
export async function composeWeeklyReport(
  deps: Pick<WeeklyReportDeps, "pool" | "people" | "timeZone">,
  week: ReportWeek,
): Promise<WeeklyReport> {
  const filter = weekFilter(week, deps.timeZone);
  const before = previousWeek(week, deps.timeZone);
  const [severities, means, previousMeans, noisiest, { load, people }, due, followUps] = await Promise.all([
    weekFigures(deps.pool, filter),
    responseMeans(deps.pool, week),
    responseMeans(deps.pool, before),
    noisyAlerts(deps.pool, filter, 3),
    loadPageLoad(deps, filter),
    postmortemsDue(deps.pool, LISTED),
    openFollowUps(deps.pool, LISTED),
  ]);
  return buildWeeklyReport(
    {
      week,
      severities,
      means,
      previousMeans,
      noisiest,
      load,
      postmortemsDue: due,
      openFollowUps: {
        total: followUps.total,
        oldest: followUps.oldest.map((f) => ({ incidentId: f.incidentId, number: f.number, text: f.text })),
      },
    },
    (id) => displayName(id, people),
  );
}

/** What a check of the schedule came to. */
export type ReportCheck = { status: "off" } | { status: "sent" | "already_sent" | "too_late"; week: string };

/**
 * Sends the weekly report if it is due: at the scheduled time (or up to a day late, if no
 * worker ran then), once per week whatever the number of workers — the week's row in
 * `weekly_reports` is claimed in the transaction that queues the message.
 */
export async function sendDueWeeklyReport(deps: WeeklyReportDeps): Promise<ReportCheck> {
  const s = deps.schedule;
  if (!s) return { status: "off" };
  const now = deps.clock.now();
  const { week, dueAt } = dueReport(now, { ...s, timeZone: deps.timeZone });
  if (now.getTime() - dueAt.getTime() > REPORT_CATCH_UP_MS) return { status: "too_late", week: week.start };
  const sent = await deps.pool.query("SELECT 1 FROM weekly_reports WHERE week_start = $1", [week.start]);
  if (sent.rowCount) return { status: "already_sent", week: week.start };
  const report = await composeWeeklyReport(deps, week);
  const claimed = await withTransaction(deps.pool, async (tx) => {
    if (!(await claimWeeklyReport(tx, week.start, s.channel, now))) return false;
    await deps.notifier.postWeeklyReport(tx, s.channel, report, insightsUrl(deps, week));
    return true;
  });
  if (claimed) deps.log.info({ week: week.start, channel: s.channel }, "weekly report queued");
  return { status: claimed ? "sent" : "already_sent", week: week.start };
}
