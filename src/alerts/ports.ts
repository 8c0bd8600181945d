import type { RouteCommand, RouteSelfHeal } from "../core/alerts/routing.js";
import type { Incident } from "../store/incidents/incidents.js";
import type { Queryable } from "../store/pool.js";

/** A route's self-heal for the incident an alert just opened. */
export interface SelfHealPlan {
  incident: Incident;
  /** The alert group that opened it: its status says whether the alert still fires. */
  groupId: number;
  routeIndex: number;
  selfHeal: RouteSelfHeal;
}

/**
 * What alert processing asks of the runs feature: a route's diagnostics and its self-heal
 * on the incidents alerts open, and what happens when their alerts clear. Implemented by
 * runs (runs/auto-runs.ts), wired in src/runtime.ts. Methods taking `tx` run inside the
 * alert processing's transaction (after the group's row lock).
 */
export interface AlertAutomation {
  /**
   * In the transaction opening the incident: records the route's self-heal (it starts once
   * the channel exists) and, with `page_after`, holds paging until it has had its chance.
   */
  planSelfHeal(tx: Queryable, plan: SelfHealPlan): Promise<void>;
  /** Runs the route's catalog diagnostics on the incident; settles once they have finished (results posted in its channel). */
  runDiagnostics(incidentId: number, diagnostics: readonly RouteCommand[]): Promise<void>;
  /**
   * Starts the incident's planned self-heal (once, whoever asks). `channelMissing`: the
   * channel never appeared, so it is not run and paging starts.
   */
  runSelfHeal(incidentId: number, opts?: { channelMissing?: boolean }): Promise<void>;
  /** In the transaction that saw every alert of the incident's group resolve: a healed incident pages nobody. */
  alertsCleared(tx: Queryable, incidentId: number): Promise<void>;
  /** Starts self-heals a crash left pending (the alert-sweeper's pass). */
  sweep(): Promise<void>;
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
