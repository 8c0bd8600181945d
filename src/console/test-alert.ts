import { createHash } from "node:crypto";

/** The test alerts the console offers, by name. */
export const TEST_ALERTS = {
  CheckoutHighErrorRate: {
    labels: { namespace: "ecommerce", service: "checkout", team: "payments" },
    annotations: {
      summary: "Checkout 5xx rate above 5% for 5 minutes",
      description: "checkout-api in ecommerce answers 7.3% of requests with a 5xx.",
      runbook_url: "https://runbooks.example.com/checkout-errors",
    },
  },
  MySQLTooManyConnections: {
    labels: { namespace: "ecommerce", service: "mysql", team: "dba" },
    annotations: {
      summary: "MySQL connections above 90% of max_connections",
      description: "ecommerce-mysql has 182 of 200 connections in use.",
    },
  },
} as const;

export type TestAlertName = keyof typeof TEST_ALERTS;

/** What the console's "Fire a test alert" sends. */
export interface TestAlertInput {
  alertname: TestAlertName;
  /** The `severity` label (critical maps to P1 by default, warning to P3). */
  severity: string;
  status: "firing" | "resolved";
  now: Date;
  /** When the alert started firing (kept across firing and resolved). */
  startsAt?: Date;
}

const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/**
 * An Alertmanager webhook body (version 4) for one test alert, shaped exactly as
 * Alertmanager sends it: the same group key and fingerprint for the same alert, so that
 * resolving it reaches the incident that firing it opened.
 */
export function buildTestAlertWebhook(input: TestAlertInput): Record<string, unknown> {
  const preset = TEST_ALERTS[input.alertname];
  const labels = { alertname: input.alertname, severity: input.severity, ...preset.labels };
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(Object.entries(labels).sort()))
    .digest("hex")
    .slice(0, 16);
  const startsAt = (input.startsAt ?? input.now).toISOString();
  const groupLabels = { alertname: input.alertname };
  return {
    version: "4",
    receiver: "firebreak",
    status: input.status,
    alerts: [
      {
        status: input.status,
        labels,
        annotations: { ...preset.annotations },
        startsAt,
        endsAt: input.status === "resolved" ? input.now.toISOString() : GO_ZERO_TIME,
        generatorURL: `http://prometheus.local:9090/graph?g0.expr=${encodeURIComponent(`ALERTS{alertname="${input.alertname}"}`)}`,
        fingerprint,
      },
    ],
    groupLabels,
    commonLabels: labels,
    commonAnnotations: { ...preset.annotations },
    externalURL: "http://alertmanager.local:9093",
    groupKey: `{}:{alertname="${input.alertname}"}`,
    truncatedAlerts: 0,
  };
}
