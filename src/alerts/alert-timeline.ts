import type { AlertChanges } from "../core/alerts/merge.js";
import type { AlertNotification, AlertObservation } from "../core/alerts/types.js";
import type { Queryable } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";

/** The actor of everything Alertmanager's notifications do. */
export const ALERTMANAGER_ACTOR = "alertmanager";

/** Alerts listed in one timeline event; the rest are counted. */
const MAX_LISTED = 50;

const brief = (a: AlertObservation) => ({
  fingerprint: a.fingerprint,
  alertname: a.labels.alertname ?? "",
  startsAt: a.startsAt.toISOString(),
  ...(a.endsAt ? { endsAt: a.endsAt.toISOString() } : {}),
});

const list = (alerts: readonly AlertObservation[]) => ({
  count: alerts.length,
  alerts: alerts.slice(0, MAX_LISTED).map(brief),
  ...(alerts.length > MAX_LISTED ? { notListed: alerts.length - MAX_LISTED } : {}),
});

/**
 * Records what one notification changed in an incident's timeline: `alert.received`, then
 * `alert.added`, `alert.resolved` and `alert.refired` for the alerts in each.
 */
export async function recordAlertChanges(
  tx: Queryable,
  incidentId: number,
  at: Date,
  n: AlertNotification,
  meta: { notificationId: number | null; groupKey: string },
  changes: AlertChanges,
): Promise<void> {
  const event = (kind: string, data: Record<string, unknown>) =>
    appendTimelineEvent(tx, {
      incidentId,
      actor: ALERTMANAGER_ACTOR,
      kind,
      at,
      data: { via: "alert", ...data },
    });
  await event("alert.received", {
    notification: meta.notificationId,
    groupKey: meta.groupKey,
    status: n.status,
    listed: n.alerts.length,
    truncatedAlerts: n.truncatedAlerts,
    added: changes.added.length,
    resolved: changes.resolved.length,
    refired: changes.refired.length,
    unchanged: changes.unchanged.length,
    ignored: changes.ignored.length,
  });
  if (changes.added.length) await event("alert.added", { groupKey: meta.groupKey, ...list(changes.added) });
  if (changes.resolved.length)
    await event("alert.resolved", { groupKey: meta.groupKey, ...list(changes.resolved) });
  if (changes.refired.length)
    await event("alert.refired", { groupKey: meta.groupKey, ...list(changes.refired) });
}

export async function recordAlertEvent(
  tx: Queryable,
  incidentId: number,
  at: Date,
  kind: string,
  data: Record<string, unknown>,
  actor = ALERTMANAGER_ACTOR,
): Promise<void> {
  await appendTimelineEvent(tx, { incidentId, actor, kind, at, data: { via: "alert", ...data } });
}
