import type { AlertChanges } from "./merge.js";
import type { IncidentState } from "../incident/state-machine.js";

/** The incident an alert group feeds now, as far as the decision needs it. */
export interface GroupIncident {
  id: number;
  state: IncidentState;
  resolvedAt: Date | null;
}

/**
 * What one notification means for its group's incident:
 * - `track`: no incident and nothing firing that is new: only remember the alerts
 *   (a resolution seen before its firing, a late copy);
 * - `open`: alerts fire that no open incident covers: open one (or join a storm);
 * - `reopen`: the group fires again within the reopen window after its incident resolved;
 * - `record`: the incident stays as it is; the changes go into its timeline and summary,
 *   and `allResolved` says what to do when the last firing alert just resolved.
 */
export type GroupPlan =
  | { kind: "track" }
  | { kind: "open"; replaces: number | null }
  | { kind: "reopen"; incidentId: number }
  | { kind: "record"; incidentId: number; allResolved: "auto_resolve" | "notify" | null };

/** What planGroupChange decides on. */
export interface PlanInput {
  incident: GroupIncident | null;
  changes: AlertChanges;
  /** From mergeAlertStates: nothing of the group can still be firing. */
  allResolved: boolean;
  now: Date;
  reopenWindowMs: number;
  onAllResolved: "auto_resolve" | "notify";
}

/**
 * Decides what a merged notification does to the group's incident. Pure. Only news opens
 * or reopens (an alert added or firing again): Alertmanager's repeats of alerts that fire
 * on do not reopen an incident a person resolved. Only the notification that resolves the
 * last firing alert triggers `onAllResolved`, so a duplicate of it does nothing.
 */
export function planGroupChange(input: PlanInput): GroupPlan {
  const firingNews = input.changes.added.length + input.changes.refired.length > 0;
  const resolvedNews = input.changes.resolved.length > 0;
  const incident = input.incident;
  if (!incident) return firingNews ? { kind: "open", replaces: null } : { kind: "track" };
  if (incident.state === "resolved") {
    if (!firingNews) return { kind: "record", incidentId: incident.id, allResolved: null };
    const resolvedAt = incident.resolvedAt ?? input.now;
    const withinWindow = input.now.getTime() - resolvedAt.getTime() <= input.reopenWindowMs;
    return withinWindow
      ? { kind: "reopen", incidentId: incident.id }
      : { kind: "open", replaces: incident.id };
  }
  return {
    kind: "record",
    incidentId: incident.id,
    allResolved: input.allResolved && resolvedNews ? input.onAllResolved : null,
  };
}

/** Whether a notification changed anything worth a timeline event. */
export function hasNews(changes: AlertChanges): boolean {
  return changes.added.length + changes.resolved.length + changes.refired.length > 0;
}
