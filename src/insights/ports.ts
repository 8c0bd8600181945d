import type { WeeklyReport } from "../core/insights/weekly-report.js";
import type { Queryable } from "../store/pool.js";

/**
 * Where the weekly report goes: a message in a channel, queued in the caller's
 * transaction (the one that claims the week). Implemented over the Slack outbox.
 */
export interface ReportNotifier {
  postWeeklyReport(
    tx: Queryable,
    channel: string,
    report: WeeklyReport,
    insightsUrl: string | undefined,
  ): Promise<void>;
}
