import type { App } from "@slack/bolt";
import type { AlertmanagerClient } from "../../alerts/alertmanager-api.js";
import type { AlertIngestDeps } from "../../alerts/process-notification.js";
import type { UserNames } from "../../core/ports.js";
import type { IncidentDeps } from "../../incidents/deps.js";
import type { WeeklyReportDeps } from "../../insights/weekly-report.js";
import type { PagingContext } from "../../paging/context.js";
import type { RunDeps } from "../../runs/deps.js";
import type { SlackTransport } from "../transport.js";
import { registerAlertListeners } from "./alert-listeners.js";
import { registerAlertsCommandListeners } from "./alerts-command-listeners.js";
import { registerIncidentListeners } from "./incident-listeners.js";
import { registerOncallListeners } from "./oncall-listeners.js";
import { registerRunListeners } from "./run-listeners.js";

/** What Slack's doors call: the use-cases' dependencies, and Slack itself for modals and replies. */
export interface SlackListenerDeps {
  incidents: IncidentDeps;
  runs: RunDeps;
  paging: PagingContext;
  slack: SlackTransport;
  names: UserNames;
  /** Alertmanager's API: without ALERTMANAGER_URL there is no Silence control to listen to. */
  alertmanager: AlertmanagerClient | null;
  /** Alert processing: `/alerts maintenance` opens and ends windows through it. */
  alerts: AlertIngestDeps;
  /** `/incident report [week]`. */
  reports: Pick<WeeklyReportDeps, "pool" | "people" | "timeZone" | "publicUrl">;
}

/**
 * Every Slack listener Firebreak has, registered in one place: `/incident` (with
 * follow-ups and the weekly report) and the summary's and follow-ups' controls, `/run`
 * with approvals and the picker, `/oncall`, `/alerts maintenance`, and the Silence
 * control. Each acks first, then runs one use-case, then renders.
 */
export function registerSlackListeners(app: App, d: SlackListenerDeps): void {
  registerIncidentListeners(app, { ...d.incidents, slack: d.slack, reports: d.reports });
  registerRunListeners(app, { ...d.runs, slack: d.slack });
  registerOncallListeners(app, { ...d.incidents, slack: d.slack, paging: d.paging });
  registerAlertsCommandListeners(app, { ...d.alerts, slack: d.slack });
  if (d.alertmanager)
    registerAlertListeners(app, {
      incidents: d.incidents,
      alertmanager: d.alertmanager,
      names: d.names,
      slack: d.slack,
    });
}
