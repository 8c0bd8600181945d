import type { ReportNotifier } from "../../insights/ports.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import { renderWeeklyReport } from "../views/weekly-report.js";

/** The ReportNotifier over the outbox: the weekly report as one message in its channel. */
export function createReportNotifier(): ReportNotifier {
  return {
    async postWeeklyReport(tx, channel, report, insightsUrl) {
      await enqueueSlackCall(tx, {
        method: "chat.postMessage",
        args: { channel, unfurl_links: false, ...renderWeeklyReport(report, insightsUrl) },
        channelKey: `channel:${channel}`,
      });
    },
  };
}
