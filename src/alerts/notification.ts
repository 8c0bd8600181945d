import type { AlertNotification, AlertObservation } from "../core/alerts/types.js";
import type { WebhookAlert, WebhookV4 } from "./alertmanager-payload.js";

/**
 * Turns a validated webhook body into the domain's `AlertNotification`: times become
 * `Date`s and Go's zero time (Alertmanager's "not set", sent as `endsAt` of firing alerts)
 * becomes null.
 */
export function toAlertNotification(webhook: WebhookV4, receivedAt: Date): AlertNotification {
  return {
    receiver: webhook.receiver,
    status: webhook.status,
    alerts: webhook.alerts.map(toObservation),
    groupKey: webhook.groupKey,
    groupLabels: webhook.groupLabels,
    commonLabels: webhook.commonLabels,
    commonAnnotations: webhook.commonAnnotations,
    externalURL: webhook.externalURL,
    truncatedAlerts: webhook.truncatedAlerts,
    receivedAt,
  };
}

function toObservation(alert: WebhookAlert): AlertObservation {
  return {
    fingerprint: alert.fingerprint.toLowerCase(),
    status: alert.status,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: new Date(alert.startsAt),
    endsAt: alert.status === "resolved" ? goTime(alert.endsAt) : null,
    generatorURL: alert.generatorURL,
  };
}

// Go's zero time.Time is year 1; anything before 1970 is "unset" for our purposes.
function goTime(text: string): Date | null {
  const date = new Date(text);
  return date.getTime() <= 0 ? null : date;
}
