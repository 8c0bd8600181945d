import type { Severity } from "../incident/severity.js";
import type { AlertLink, AlertNotification, AlertStatus, LabelSet } from "./types.js";

/** One event of a generic webhook integration, after its fields were mapped. */
export interface IntegrationEvent {
  /** The same key is the same alert, so the same incident while it is open. */
  dedupKey: string;
  status: AlertStatus;
  title?: string;
  severity?: Severity;
  description?: string;
  links: readonly AlertLink[];
  labels: LabelSet;
}

/** Group key of a generic integration's event: one group per (integration, dedup key). */
export const integrationGroupKey = (integration: string, dedupKey: string) =>
  `integration:${integration}:${dedupKey}`;

/**
 * The alert notification a generic event feeds into the alert machinery: one group per
 * dedup key with one alert in it. A generic sender gives no times, so the event's episode
 * starts (or ends) when Firebreak received it; merging then reads a firing event after a
 * resolution as firing again, and a repeat as a repeat.
 */
export function integrationNotification(
  integration: string,
  e: IntegrationEvent,
  receivedAt: Date,
): AlertNotification {
  const labels: LabelSet = { alertname: integration, ...e.labels, integration, dedup_key: e.dedupKey };
  const annotations: LabelSet = {
    ...(e.title ? { summary: e.title } : {}),
    ...(e.description ? { description: e.description } : {}),
  };
  return {
    receiver: integration,
    status: e.status,
    alerts: [
      {
        fingerprint: e.dedupKey,
        status: e.status,
        labels,
        annotations,
        startsAt: receivedAt,
        endsAt: e.status === "resolved" ? receivedAt : null,
        generatorURL: "",
        ...(e.severity ? { severity: e.severity } : {}),
        links: e.links,
      },
    ],
    groupKey: integrationGroupKey(integration, e.dedupKey),
    groupLabels: { integration, dedup_key: e.dedupKey },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: "",
    truncatedAlerts: 0,
    receivedAt,
    source: `integration:${integration}`,
    title: e.title ?? `${integration}: ${e.dedupKey}`,
  };
}
