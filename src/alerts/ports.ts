import type { Queryable } from "../store/pool.js";

/**
 * What alert processing asks of the runs feature once an alert has opened an incident
 * and its channel exists. Implemented by runs (runs/alert-automation.ts), wired in
 * src/runtime.ts.
 */
export interface AlertAutomation {
  /** Runs the route's catalog diagnostics on the incident; results are posted in its channel. */
  runDiagnostics(incidentId: number, commands: readonly string[]): Promise<void>;
}

/**
 * How maintenance windows are shown in Slack: one announcement per window, edited as it
 * holds alerts back and when it ends. Implemented over the outbox
 * (slack/notifiers/maintenance-notifier.ts), queued in the caller's transaction.
 */
export interface MaintenanceNotifier {
  /** Posts the window's announcement (in its channel, else the configured announcements channel). */
  announce(tx: Queryable, windowId: number): Promise<void>;
  /** Re-renders the announcement in place; refreshes in a row coalesce into one update. */
  refresh(tx: Queryable, windowId: number): Promise<void>;
}
