import type pg from "pg";
import type { AlertState } from "../core/alerts/merge.js";
import { mergeAlertStates } from "../core/alerts/merge.js";
import { routeAlertGroup } from "../core/alerts/routing.js";
import type { AlertRouteDecision } from "../core/alerts/routing.js";
import { groupSeverity, mostUrgent } from "../core/alerts/severity-from-labels.js";
import type { SeverityMapping } from "../core/alerts/severity-from-labels.js";
import { stormDecision } from "../core/alerts/storm.js";
import { summarizeAlertGroup } from "../core/alerts/summary.js";
import type { AlertNotification, AlertObservation } from "../core/alerts/types.js";
import { SEVERITIES } from "../core/incident/severity.js";
import type { Severity } from "../core/incident/severity.js";
import { escapeMrkdwn, truncate } from "../core/mrkdwn.js";
import { declareInTransaction } from "../incidents/declare-incident.js";
import type { IncidentDeps } from "../incidents/deps.js";

import { getIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import type { AlertGroup } from "../store/alerts/alert-groups.js";
import {
  deleteResolvedAlerts,
  loadAlertStates,
  lockNewIncidentDecisions,
  lockOrCreateGroup,
  recentDeclarations,
  saveAlertStates,
  updateGroup,
} from "../store/alerts/alert-groups.js";
import {
  lockUnprocessedNotification,
  markNotificationProcessed,
  peekUnprocessedNotification,
} from "../store/alerts/notifications.js";
import { findOpenStormIncident, insertStorm, stormHasFiringGroups } from "../store/alerts/storms.js";
import type { AlertGroupPatch, PendingAction } from "../store/alerts/alert-groups.js";
import { ALERTMANAGER_ACTOR, recordAlertChanges, recordAlertEvent } from "./alert-timeline.js";
import type { UserGroupDirectory } from "../core/ports.js";
import { routeInvitees } from "./route-invitees.js";
import { toAlertNotification } from "./notification.js";
import { hasNews, planGroupChange } from "../core/alerts/plan-group-change.js";
import { parseAlertmanagerWebhook } from "./alertmanager-payload.js";

/** What processing needs, injected. */
export interface AlertIngestDeps {
  incidents: IncidentDeps;
  usergroups: UserGroupDirectory;
}

/** What processing one stored notification did (for logs, metrics and tests). */
export type ProcessOutcome =
  | { status: "skipped" }
  | {
      status: "processed";
      groupId: number;
      incidentId: number | null;
      plan: "track" | "open" | "storm" | "reopen" | "record";
      pendingAction: PendingAction | null;
      /** Catalog diagnostics the route asks for, for an incident this notification opened. */
      autoDiagnostics?: readonly string[];
    };

/** Reads a stored body back into the domain's notification (it was validated when received). */
export function decodeNotification(body: string, receivedAt: Date): AlertNotification {
  return toAlertNotification(parseAlertmanagerWebhook(JSON.parse(body) as unknown), receivedAt);
}

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
  const notification = decodeNotification(row.body, row.receivedAt);
  const route = routeAlertGroup(notification.commonLabels, deps.incidents.config.alerts.routes);
  // Slack is asked before the transaction: no row lock waits on the network.
  const invite = await routeInvitees(deps.usergroups, route);
  const outcome = await withTransaction(pool, async (tx): Promise<ProcessOutcome> => {
    const locked = await lockUnprocessedNotification(tx, id);
    if (!locked) return { status: "skipped" };
    return applyNotification(tx, deps.incidents, { id, notification, route, invite });
  });
  return outcome.status === "processed" && outcome.plan === "open" && route.autoDiagnostics.length
    ? { ...outcome, autoDiagnostics: route.autoDiagnostics }
    : outcome;
}

interface Work {
  id: number;
  notification: AlertNotification;
  route: AlertRouteDecision;
  invite: string[];
}

async function applyNotification(
  tx: pg.PoolClient,
  deps: IncidentDeps,
  w: Work,
): Promise<Extract<ProcessOutcome, { status: "processed" }>> {
  const n = w.notification;
  const now = deps.clock.now();
  const alertsConfig = deps.config.alerts;
  const { group } = await lockOrCreateGroup(tx, {
    groupKey: n.groupKey,
    receiver: n.receiver,
    status: n.status,
    at: n.receivedAt,
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

  if (plan.kind === "open") {
    const opened = await openIncident(tx, deps, group, w, now);
    target = opened.incident;
    outcomePlan = opened.viaStorm ? "storm" : "open";
    Object.assign(patch, {
      incidentId: opened.incident.id,
      viaStorm: opened.viaStorm,
      routeIndex: w.route.routeIndex,
      escalationPolicy: w.route.escalationPolicy ?? null,
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
    if (plan.kind === "record" && plan.allResolved) {
      const viaStorm = patch.viaStorm ?? group.viaStorm;
      // A storm incident is done only when none of the groups it collected still fires.
      const allClear = !viaStorm || !(await stormHasFiringGroups(tx, target.id));
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

/**
 * Opens the group's own incident, unless more new groups than the storm threshold opened
 * channels in the last minute: then the group joins the open storm incident (opening it
 * first if there is none). Decisions are serialised so that the count is exact.
 */
async function openIncident(
  tx: pg.PoolClient,
  deps: IncidentDeps,
  group: AlertGroup,
  w: Work,
  now: Date,
): Promise<{ incident: Incident; viaStorm: boolean }> {
  const n = w.notification;
  const alertsConfig = deps.config.alerts;
  const summary = summarizeAlertGroup(n);
  const severity = w.route.severityOverride ?? groupSeverity(n.alerts, n.commonLabels, alertsConfig.severity);
  await lockNewIncidentDecisions(tx);
  const recent = await recentDeclarations(tx, new Date(now.getTime() - 60_000));
  const base = {
    actor: ALERTMANAGER_ACTOR,
    via: "alert" as const,
    source: "alertmanager",
    commander: null,
    invite: w.invite,
    ...(w.route.announceChannel ? { announceChannel: w.route.announceChannel } : {}),
  };
  if (stormDecision(recent, now, alertsConfig.storm.thresholdPerMinute) === "open") {
    // The group's common summary only: one alert's own words would misname the group.
    const common = n.commonAnnotations.summary?.trim();
    const headline = common ? `: ${common}` : "";
    const incident = await declareInTransaction(tx, deps, {
      ...base,
      title: truncate(`${summary.name}${headline}`, 200),
      severity,
      description: truncate(n.commonAnnotations.description ?? "", 2000),
      ...(w.route.escalationPolicy ? { escalationPolicy: w.route.escalationPolicy } : {}),
      data: {
        groupKey: n.groupKey,
        groupLabels: n.groupLabels,
        receiver: n.receiver,
        route: w.route.routeIndex,
        escalationPolicy: w.route.escalationPolicy ?? null,
        previousIncident: group.incidentId,
      },
    });
    return { incident, viaStorm: false };
  }
  const open = await findOpenStormIncident(tx);
  if (open !== null) {
    const incident = await getIncident(tx, open);
    if (incident) return { incident, viaStorm: true };
  }
  const threshold = alertsConfig.storm.thresholdPerMinute;
  const incident = await declareInTransaction(tx, deps, {
    ...base,
    title: "Alert storm: new alert groups collected here",
    severity,
    description: `More than ${threshold} new alert groups arrived within a minute. Firebreak collects further new groups in this incident instead of opening a channel for each; every alert is still tracked.`,
    data: { storm: true, thresholdPerMinute: threshold, firstGroupKey: n.groupKey },
  });
  await insertStorm(tx, incident.id, now);
  return { incident, viaStorm: true };
}

/**
 * The severity newly firing alerts ask for, when it is more urgent than the incident's
 * (or than a raise already decided). Severity is only ever raised by alerts: lowering is a
 * person's call. A route's fixed severity is not raised.
 */
function severityToRaise(
  incident: Incident,
  group: AlertGroup,
  w: Work,
  changes: { added: readonly AlertObservation[]; refired: readonly AlertObservation[] },
  mapping: SeverityMapping,
): Severity | null {
  const news = [...changes.added, ...changes.refired];
  if (news.length === 0 || w.route.severityOverride) return null;
  const wanted = groupSeverity(news, w.notification.commonLabels, mapping);
  const floor =
    group.pendingAction === "raise_severity" && group.pendingSeverity
      ? mostUrgent([incident.severity, group.pendingSeverity])
      : incident.severity;
  return SEVERITIES.indexOf(wanted) < SEVERITIES.indexOf(floor) ? wanted : null;
}
