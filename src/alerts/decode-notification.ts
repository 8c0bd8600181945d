import type { IntakeConfig } from "../config-schema/intake.js";
import { notificationFromJson } from "../core/alerts/notification-json.js";
import type { AlertNotification, LabelSet } from "../core/alerts/types.js";
import type { ReceivedNotification } from "../store/alerts/notifications.js";
import { parseAlertmanagerWebhook } from "./alertmanager-payload.js";
import { grafanaNotification, parseGrafanaWebhook } from "./grafana-payload.js";
import { toAlertNotification } from "./notification.js";

/**
 * Reads a stored notification back into the domain's notification (it was validated when
 * received): Alertmanager's and Grafana's bodies as they came, Firebreak's own JSON for
 * generic events and heartbeats. What an integration receives is grouped under its own
 * name (`integration:<name>:<groupKey>`) and carries the integration's fixed labels.
 */
export function decodeNotification(row: ReceivedNotification, intake: IntakeConfig): AlertNotification {
  switch (row.kind) {
    case "generic":
    case "heartbeat":
      return notificationFromJson(row.body);
    case "grafana":
      return withLabels(
        grafanaNotification(
          row.integration ?? "grafana",
          parseGrafanaWebhook(JSON.parse(row.body)),
          row.receivedAt,
        ),
        labelsOf(intake, row.integration),
      );
    case "alertmanager": {
      const n = toAlertNotification(
        parseAlertmanagerWebhook(JSON.parse(row.body) as unknown),
        row.receivedAt,
      );
      if (row.integration === null) return n;
      return withLabels(
        {
          ...n,
          groupKey: `integration:${row.integration}:${n.groupKey}`,
          source: `integration:${row.integration}`,
        },
        labelsOf(intake, row.integration),
      );
    }
  }
}

function labelsOf(intake: IntakeConfig, name: string | null): LabelSet {
  const integration = intake.integrations.find((i) => i.name === name);
  if (!integration) return {};
  return integration.type === "generic" ? integration.mapping.labels : integration.labels;
}

// The integration's labels, under what the sender set itself.
function withLabels(n: AlertNotification, labels: LabelSet): AlertNotification {
  if (Object.keys(labels).length === 0) return n;
  return {
    ...n,
    commonLabels: { ...labels, ...n.commonLabels },
    alerts: n.alerts.map((a) => ({ ...a, labels: { ...labels, ...a.labels } })),
  };
}
