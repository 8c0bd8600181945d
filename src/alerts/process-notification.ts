import type pg from "pg";
import type { AlertState } from "../core/alerts/merge.js";
import { mergeAlertStates } from "../core/alerts/merge.js";
import { windowHolding } from "../core/alerts/maintenance.js";
import { summarizeAlertGroup } from "../core/alerts/summary.js";
import { escapeMrkdwn, truncate } from "../core/mrkdwn.js";
import type { IncidentDeps } from "../incidents/deps.js";
import { getIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import {
  deleteResolvedAlerts,
  loadAlertStates,
  lockOrCreateGroup,
  saveAlertStates,
  updateGroup,
} from "../store/alerts/alert-groups.js";
import {
  lockUnprocessedNotification,
  markNotificationProcessed,
  peekUnprocessedNotification,
} from "../store/alerts/notifications.js";
import { listActiveWindows } from "../store/maintenance/windows.js";
import { stormHasFiringGroups } from "../store/alerts/storms.js";
import type { AlertGroupPatch, PendingAction } from "../store/alerts/alert-groups.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ALERTMANAGER_ACTOR, recordAlertChanges, recordAlertEvent } from "./alert-timeline.js";
import type { UserGroupDirectory } from "../core/ports.js";
import { routeInvitees } from "./route-invitees.js";
import { hasNews, planGroupChange } from "../core/alerts/plan-group-change.js";
import { decodeNotification } from "./decode-notification.js";
import { openAlertIncident, severityToRaise } from "./open-alert-incident.js";
import type { GroupWork } from "./open-alert-incident.js";
import type { AlertAutomation, MaintenanceNotifier } from "./ports.js";
import type { RouteCommand } from "../core/alerts/routing.js";
import { routeNotification } from "./route-notification.js";

/** What processing needs, injected. */
export interface AlertIngestDeps {
  incidents: IncidentDeps;
  usergroups: UserGroupDirectory;
  /** Maintenance windows' announcements (which list the alerts they hold back). */
  maintenance: MaintenanceNotifier;
  /** The runs feature: a route's diagnostics and self-heal (absent where runs are not wired). */
  automation?: AlertAutomation;
}

/** What processing one stored notification did (for logs, metrics and tests). */
export type ProcessOutcome =
  | { status: "skipped" }
  | {
      status: "processed";
      groupId: number;
      incidentId: number | null;
      /** `held`: a maintenance window holds the group back (no incident until it ends). */
      plan: "track" | "open" | "storm" | "reopen" | "record" | "held";
      pendingAction: PendingAction | null;
      /** Catalog diagnostics the route asks for, for an incident this notification opened. */
      autoDiagnostics?: readonly RouteCommand[];
      /** The route's self-heal was planned for the incident this notification opened. */
      selfHeal?: boolean;
    };

/**
 * Applies one stored notification to its group, in one transaction under the group's row
 * lock: merges the alerts' states, opens (or joins a storm, or reopens) the incident,
 * records the timeline, refreshes the summary and marks the notification processed. A
 * lifecycle change through the incident use-cases (auto-resolve, reopen) is left as the
 * group's pending action for `runPendingAction`, which the caller runs after commit.
 */
export async function processNotification(deps: AlertIngestDeps, id: number): Promise<ProcessOutcome> {
  const pool = deps.incidents.pool;
  const row = await peekUnprocessedNotification(pool, id);
  if (!row) return { status: "skipped" };
  const notification = decodeNotification(row, deps.incidents.config.intake);
  const route = routeNotification(deps.incidents.config, notification);
  // Slack is asked before the transaction: no row lock waits on the network.
  const invite = await routeInvitees(deps.usergroups, route);
  const outcome = await withTransaction(pool, async (tx): Promise<ProcessOutcome> => {
    const locked = await lockUnprocessedNotification(tx, id);
    if (!locked) return { status: "skipped" };
    return applyNotification(tx, deps, { id, notification, route, invite });
  });
  if (outcome.status !== "processed" || outcome.plan !== "open") return outcome;
  return {
    ...outcome,
    ...(route.autoDiagnostics.length ? { autoDiagnostics: route.autoDiagnostics } : {}),
    ...(route.selfHeal && deps.automation ? { selfHeal: true } : {}),
  };
}

async function applyNotification(
  tx: pg.PoolClient,
  ingest: AlertIngestDeps,
  w: GroupWork & { id: number },
): Promise<Extract<ProcessOutcome, { status: "processed" }>> {
  const deps = ingest.incidents;
  const n = w.notification;
  const now = deps.clock.now();
  const alertsConfig = deps.config.alerts;
  const { group } = await lockOrCreateGroup(tx, {
    groupKey: n.groupKey,
    receiver: n.receiver,
    status: n.status,
    at: n.receivedAt,
    source: n.source ?? "alertmanager",
  });
  const stored = new Map<string, AlertState>(
    (await loadAlertStates(tx, group.id)).map((a) => [a.fingerprint, a]),
  );
  const merged = mergeAlertStates(stored, n);
  const current = group.incidentId === null ? null : await getIncident(tx, group.incidentId);
  const plan = planGroupChange({
    incident: current,
    changes: merged.changes,
    allResolved: merged.allResolved,
    now,
    reopenWindowMs: alertsConfig.reopenWindowMs,
    onAllResolved: alertsConfig.onAllResolved,
  });
  const patch: AlertGroupPatch = {
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalUrl: n.externalURL,
    status: merged.allResolved ? "resolved" : "firing",
    truncatedAlerts: n.truncatedAlerts,
    lastNotificationAt: n.receivedAt,
    ...(n.title ? { title: n.title } : {}),
  };
  // A firing alert again: an auto-resolve decided earlier and not yet made must not happen.
  if (
    group.pendingAction === "auto_resolve" &&
    merged.changes.added.length + merged.changes.refired.length > 0
  )
    patch.pendingAction = null;
  // Everything resolved again before a decided reopen was made: there is nothing to reopen for.
  if (group.pendingAction === "reopen" && merged.allResolved) patch.pendingAction = null;
  const meta = { notificationId: w.id, groupKey: n.groupKey };
  let target: Incident | null = current;
  let outcomePlan: Extract<ProcessOutcome, { status: "processed" }>["plan"] = plan.kind;

  // A maintenance window holds back what would open (or reopen) an incident: the alerts
  // are tracked, the window's announcement lists the group, and its end lets it go.
  const holding =
    plan.kind === "open" || plan.kind === "reopen"
      ? windowHolding(n.commonLabels, await listActiveWindows(tx, now), now)
      : undefined;
  if (holding) {
    outcomePlan = "held";
    target = null;
    patch.heldByWindow = holding.id;
    patch.service = w.route.service ?? null;
    if (group.heldByWindow !== holding.id)
      await appendTimelineEvent(tx, {
        incidentId: WORKSPACE_CHAIN,
        actor: ALERTMANAGER_ACTOR,
        kind: "maintenance.held",
        at: now,
        data: {
          window: holding.id,
          groupKey: n.groupKey,
          name: summarizeAlertGroup(n).name,
          source: n.source ?? "alertmanager",
          firing: merged.changes.added.length + merged.changes.refired.length,
        },
      });
    await ingest.maintenance.refresh(tx, holding.id);
  } else if (plan.kind === "open") {
    const opened = await openAlertIncident(tx, deps, group, w, now);
    target = opened.incident;
    outcomePlan = opened.viaStorm ? "storm" : "open";
    Object.assign(patch, {
      incidentId: opened.incident.id,
      viaStorm: opened.viaStorm,
      routeIndex: w.route.routeIndex,
      escalationPolicy: w.route.escalationPolicy ?? null,
      service: w.route.service ?? null,
      heldByWindow: null,
      // Whatever was pending concerned the previous incident.
      pendingAction: null,
      ...(opened.viaStorm ? {} : { declaredAt: now }),
    });
    // A new incident starts afresh: the resolved alerts of the last one are its history.
    if (plan.replaces !== null)
      await deleteResolvedAlerts(
        tx,
        group.id,
        n.alerts.map((a) => a.fingerprint),
      );
  } else if (plan.kind === "reopen") {
    patch.pendingAction = "reopen";
  } else if (plan.kind === "record" && current && current.state !== "resolved") {
    const raise = severityToRaise(current, group, w, merged.changes, alertsConfig.severity);
    if (raise) Object.assign(patch, { pendingAction: "raise_severity", pendingSeverity: raise });
  }

  await saveAlertStates(tx, group.id, merged.states, n.alerts);
  await updateGroup(tx, group.id, patch);
  const selfHeal = w.route.selfHeal;
  if (plan.kind === "open" && outcomePlan === "open" && target && selfHeal && w.route.routeIndex !== null)
    await ingest.automation?.planSelfHeal(tx, {
      incident: target,
      groupId: group.id,
      routeIndex: w.route.routeIndex,
      selfHeal,
    });

  await markNotificationProcessed(tx, w.id, now);
  if (target && (hasNews(merged.changes) || plan.kind === "open")) {
    const events: [string, Record<string, unknown>][] = [];
    if (plan.kind === "open" && outcomePlan === "storm")
      events.push([
        "alert.storm_collected",
        {
          groupKey: n.groupKey,
          groupLabels: n.groupLabels,
          name: summarizeAlertGroup(n).name,
          firing: merged.changes.added.length,
        },
      ]);
    if (selfHeal && (outcomePlan === "storm" || plan.kind === "reopen"))
      events.push([
        "self_heal.not_run",
        {
          command: selfHeal.command,
          route: { index: w.route.routeIndex },
          groupKey: n.groupKey,
          reason:
            outcomePlan === "storm"
              ? "the alert group joined the storm incident: a self-heal runs only for an incident its own alert opens"
              : "the alert fired again and reopened the incident: a recurrence goes to a person, the self-heal runs only for a new incident",
        },
      ]);
    if (plan.kind === "record" && plan.allResolved) {
      const viaStorm = patch.viaStorm ?? group.viaStorm;
      // A storm incident is done only when none of the groups it collected still fires.
      const allClear = !viaStorm || !(await stormHasFiringGroups(tx, target.id));
      // Its own self-heal's outcome first (the incident's lock before the timeline's).
      if (!viaStorm) await ingest.automation?.alertsCleared(tx, target.id);
      if (allClear) {
        events.push(["alert.all_resolved", { groupKey: n.groupKey, action: plan.allResolved }]);
        if (plan.allResolved === "auto_resolve") {
          patch.pendingAction = "auto_resolve";
          await updateGroup(tx, group.id, { pendingAction: "auto_resolve" });
        } else {
          await deps.notifier.post(tx, target, {
            text: `:white_check_mark: All alerts of ${escapeMrkdwn(truncate(summarizeAlertGroup(n).name, 200))} have cleared. Resolve the incident when you are satisfied (\`/incident resolve\`).`,
          });
        }
      }
    }
    await deps.notifier.refreshSummary(tx, target);
    // The timeline last: its per-incident lock (one chain for a whole storm) is held only
    // from here to commit.
    await recordAlertChanges(tx, target.id, now, n, meta, merged.changes);
    for (const [kind, data] of events) await recordAlertEvent(tx, target.id, now, kind, data);
  }
  return {
    status: "processed",
    groupId: group.id,
    incidentId: target?.id ?? null,
    plan: outcomePlan,
    pendingAction: patch.pendingAction === undefined ? group.pendingAction : patch.pendingAction,
  };
}
