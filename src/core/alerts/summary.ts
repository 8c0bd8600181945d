import { truncate } from "../mrkdwn.js";
import { safeHttpUrl } from "./safe-url.js";
import type { AlertNotification, AlertStatus } from "./types.js";

/** Block Kit's limit on a header, which the title is made to fit. */
export const MAX_TITLE_LENGTH = 150;

/**
 * What a person needs at a glance about one notification. Text is raw, as the alert
 * rules wrote it: escape it (`escapeMrkdwn`) before putting it into mrkdwn.
 */
export interface AlertGroupSummary {
  /** `[FIRING:3] PodCrashLooping ecommerce`, `[FIRING:5+] …` when truncated, `[RESOLVED] …`. */
  title: string;
  /** The group's name without the status: its group label values, or its alertname. */
  name: string;
  status: AlertStatus;
  firing: number;
  resolved: number;
  /** Alerts Alertmanager left out (`max_alerts`): their status is unknown. */
  truncated: number;
  /** The `summary` annotation common to the group, else the first listed alert's. */
  headline?: string;
  /** `runbook_url` (common, else first listed), only if it is a safe http(s) URL. */
  runbookUrl?: string;
}

/** Summarises one notification for titles, channel topics and the pinned summary. */
export function summarizeAlertGroup(notification: AlertNotification): AlertGroupSummary {
  const firing = notification.alerts.filter((a) => a.status === "firing").length;
  const resolved = notification.alerts.length - firing;
  const truncated = notification.truncatedAlerts;
  const name = groupName(notification);
  const status = notification.status;
  const count = truncated > 0 ? `${firing}+` : `${firing}`;
  const prefix = status === "firing" ? `[FIRING:${count}]` : "[RESOLVED]";
  const first = notification.alerts[0]?.annotations;
  const common = notification.commonAnnotations;
  const headline = nonEmpty(common.summary) ?? nonEmpty(first?.summary);
  const runbookUrl = safeHttpUrl(nonEmpty(common.runbook_url) ?? nonEmpty(first?.runbook_url));
  return {
    title: truncate(`${prefix} ${name}`, MAX_TITLE_LENGTH),
    name,
    status,
    firing,
    resolved,
    truncated,
    ...(headline === undefined ? {} : { headline }),
    ...(runbookUrl === undefined ? {} : { runbookUrl }),
  };
}

// Like Alertmanager's default title: group label values ordered by label name.
function groupName(n: AlertNotification): string {
  const values = Object.keys(n.groupLabels)
    .sort()
    .map((k) => n.groupLabels[k]!)
    .filter((v) => v !== "");
  if (values.length > 0) return values.join(" ");
  return nonEmpty(n.commonLabels.alertname) ?? nonEmpty(n.alerts[0]?.labels.alertname) ?? "alerts";
}

function nonEmpty(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}
