import type pg from "pg";
import type { ServiceRouteDecision } from "../core/alerts/services.js";
import { groupSeverity, mostUrgent } from "../core/alerts/severity-from-labels.js";
import type { SeverityMapping } from "../core/alerts/severity-from-labels.js";
import { stormDecision } from "../core/alerts/storm.js";
import { summarizeAlertGroup } from "../core/alerts/summary.js";
import type { AlertNotification, AlertObservation } from "../core/alerts/types.js";
import { SEVERITIES } from "../core/incident/severity.js";
import type { Severity } from "../core/incident/severity.js";
import { truncate } from "../core/mrkdwn.js";
import { declareInTransaction } from "../incidents/declare-incident.js";
import type { IncidentDeps } from "../incidents/deps.js";
import type { AlertGroup } from "../store/alerts/alert-groups.js";
import { lockNewIncidentDecisions, recentDeclarations } from "../store/alerts/alert-groups.js";
import { findOpenStormIncident, insertStorm } from "../store/alerts/storms.js";
import { getIncident } from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { ALERTMANAGER_ACTOR } from "./alert-timeline.js";

/** A notification on its way into a group, with its route and the route's invitees. */
export interface GroupWork {
  /** The stored notification (null when a maintenance window lets a held group go). */
  id: number | null;
  notification: AlertNotification;
  route: ServiceRouteDecision;
  invite: string[];
}

/**
 * Opens the group's own incident, unless more new groups than the storm threshold opened
 * channels in the last minute: then the group joins the open storm incident (opening it
 * first if there is none). Decisions are serialised so that the count is exact.
 */
export async function openAlertIncident(
  tx: pg.PoolClient,
  deps: IncidentDeps,
  group: AlertGroup,
  w: GroupWork,
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
    source: n.source ?? "alertmanager",
    commander: null,
    invite: w.invite,
    ...(w.route.announceChannel ? { announceChannel: w.route.announceChannel } : {}),
  };
  if (stormDecision(recent, now, alertsConfig.storm.thresholdPerMinute) === "open") {
    // The group's common summary only: one alert's own words would misname the group.
    const common = n.commonAnnotations.summary?.trim();
    const title = n.title ?? `${summary.name}${common ? `: ${common}` : ""}`;
    const incident = await declareInTransaction(tx, deps, {
      ...base,
      title: truncate(title, 200),
      severity,
      description: truncate(n.commonAnnotations.description ?? "", 2000),
      ...(w.route.escalationPolicy ? { escalationPolicy: w.route.escalationPolicy } : {}),
      ...(w.route.service ? { service: w.route.service } : {}),
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
export function severityToRaise(
  incident: Incident,
  group: AlertGroup,
  w: GroupWork,
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
