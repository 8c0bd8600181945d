import { isWindowActive, windowHolding } from "../core/alerts/maintenance.js";
import { summarizeAlertGroup } from "../core/alerts/summary.js";
import type { AlertNotification } from "../core/alerts/types.js";
import { getGroup, loadAlertStates, lockGroup, updateGroup } from "../store/alerts/alert-groups.js";
import type { AlertGroup, StoredAlert } from "../store/alerts/alert-groups.js";
import { getIncident } from "../store/incidents/incidents.js";
import {
  getWindow,
  listActiveWindows,
  listHeldGroupIds,
  listWindowsToRelease,
  lockWindow,
  markWindowReleased,
} from "../store/maintenance/windows.js";
import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { ALERTMANAGER_ACTOR, recordAlertChanges, recordAlertEvent } from "./alert-timeline.js";
import { openAlertIncident } from "./open-alert-incident.js";
import type { AlertIngestDeps } from "./process-notification.js";
import { routeInvitees } from "./route-invitees.js";
import { routeNotification } from "./route-notification.js";

/** Lets go of every window that has ended and not been released yet (the `maintenance-releaser` job). */
export async function releaseEndedWindows(deps: AlertIngestDeps): Promise<number[]> {
  const opened: number[] = [];
  for (const id of await listWindowsToRelease(deps.incidents.pool, deps.incidents.clock.now(), 20))
    opened.push(...(await releaseWindow(deps, id)));
  return opened;
}

/**
 * Lets go of the groups an ended window held back: each one still firing opens its incident
 * as usual (storms included), the rest are simply no longer held; a group another active
 * window matches moves to that one. Each group is its own transaction under its row lock,
 * so a crash half-way leaves the rest for the next pass; the window is marked released last.
 * Returns the incidents opened.
 */
export async function releaseWindow(deps: AlertIngestDeps, windowId: number): Promise<number[]> {
  const { pool, clock } = deps.incidents;
  const window = await getWindow(pool, windowId);
  if (!window || window.releasedAt || isWindowActive(window, clock.now())) return [];
  const opened: number[] = [];
  for (const groupId of await listHeldGroupIds(pool, windowId)) {
    const incidentId = await releaseGroup(deps, windowId, groupId);
    if (incidentId !== null) opened.push(incidentId);
  }
  await withTransaction(pool, async (tx) => {
    const w = await lockWindow(tx, windowId);
    if (!w || w.releasedAt) return;
    const now = clock.now();
    await markWindowReleased(tx, windowId, now);
    await appendTimelineEvent(tx, {
      incidentId: WORKSPACE_CHAIN,
      actor: ALERTMANAGER_ACTOR,
      kind: "maintenance.released",
      at: now,
      data: { window: windowId, incidentsOpened: opened },
    });
    await deps.maintenance.refresh(tx, windowId);
  });
  return opened;
}

async function releaseGroup(
  deps: AlertIngestDeps,
  windowId: number,
  groupId: number,
): Promise<number | null> {
  const { pool, clock } = deps.incidents;
  const before = await getGroup(pool, groupId);
  if (!before || before.heldByWindow !== windowId) return null;
  const route = routeNotification(deps.incidents.config, {
    commonLabels: before.commonLabels,
    source: before.source,
  });
  // Slack is asked before the transaction: no row lock waits on the network.
  const invite = await routeInvitees(deps.usergroups, route);
  return withTransaction(pool, async (tx) => {
    const group = await lockGroup(tx, groupId);
    if (!group || group.heldByWindow !== windowId) return null;
    const now = clock.now();
    const other = windowHolding(group.commonLabels, await listActiveWindows(tx, now), now);
    if (other) {
      await updateGroup(tx, groupId, { heldByWindow: other.id });
      await appendTimelineEvent(tx, {
        incidentId: WORKSPACE_CHAIN,
        actor: ALERTMANAGER_ACTOR,
        kind: "maintenance.held",
        at: now,
        data: { window: other.id, groupKey: group.groupKey, from: windowId, source: group.source },
      });
      await deps.maintenance.refresh(tx, other.id);
      return null;
    }
    const current = group.incidentId === null ? null : await getIncident(tx, group.incidentId);
    const firing = (await loadAlertStates(tx, groupId)).filter((a) => a.status === "firing");
    if (firing.length === 0 || (current && current.state !== "resolved")) {
      await updateGroup(tx, groupId, { heldByWindow: null });
      return null;
    }
    const n = heldNotification(group, firing, now);
    const opened = await openAlertIncident(
      tx,
      deps.incidents,
      group,
      { id: null, notification: n, route, invite },
      now,
    );
    await updateGroup(tx, groupId, {
      incidentId: opened.incident.id,
      viaStorm: opened.viaStorm,
      routeIndex: route.routeIndex,
      escalationPolicy: route.escalationPolicy ?? null,
      service: route.service ?? null,
      heldByWindow: null,
      pendingAction: null,
      ...(opened.viaStorm ? {} : { declaredAt: now }),
    });
    // A self-heal is planned as for any incident its alert opens; the alert-sweeper starts it.
    const selfHeal = route.selfHeal;
    if (selfHeal && route.routeIndex !== null && !opened.viaStorm)
      await deps.automation?.planSelfHeal(tx, {
        incident: opened.incident,
        groupId,
        routeIndex: route.routeIndex,
        selfHeal,
      });
    await deps.incidents.notifier.refreshSummary(tx, opened.incident);
    const changes = {
      added: n.alerts.slice(),
      resolved: [],
      refired: [],
      unchanged: [],
      ignored: [],
      unlisted: [],
    };
    await recordAlertChanges(
      tx,
      opened.incident.id,
      now,
      n,
      { notificationId: null, groupKey: group.groupKey },
      changes,
    );
    await recordAlertEvent(tx, opened.incident.id, now, "maintenance.released", {
      window: windowId,
      groupKey: group.groupKey,
      name: summarizeAlertGroup(n).name,
    });
    if (selfHeal && opened.viaStorm)
      await recordAlertEvent(tx, opened.incident.id, now, "self_heal.not_run", {
        command: selfHeal.command,
        route: { index: route.routeIndex },
        groupKey: group.groupKey,
        reason:
          "the alert group joined the storm incident: a self-heal runs only for an incident its own alert opens",
      });
    return opened.incident.id;
  });
}

/** The group as it stands, as if Alertmanager had just notified its firing alerts. */
function heldNotification(group: AlertGroup, firing: StoredAlert[], now: Date): AlertNotification {
  return {
    receiver: group.receiver,
    status: "firing",
    alerts: firing.map((a) => ({
      fingerprint: a.fingerprint,
      status: "firing" as const,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: null,
      generatorURL: a.generatorUrl,
      ...(a.severity ? { severity: a.severity } : {}),
      links: a.links,
      ...(a.values ? { values: a.values } : {}),
    })),
    groupKey: group.groupKey,
    groupLabels: group.groupLabels,
    commonLabels: group.commonLabels,
    commonAnnotations: group.commonAnnotations,
    externalURL: group.externalUrl,
    truncatedAlerts: group.truncatedAlerts,
    receivedAt: now,
    source: group.source,
    ...(group.title ? { title: group.title } : {}),
  };
}
