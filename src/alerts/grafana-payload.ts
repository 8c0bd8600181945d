import { z } from "zod";
import { FirebreakError } from "../core/errors.js";
import type { AlertLink, AlertNotification, AlertObservation } from "../core/alerts/types.js";
import {
  WEBHOOK_LIMITS as L,
  describeIssue,
  formatPath,
  labelSet,
  webhookAlertSchema,
} from "./alertmanager-payload.js";

const url = z.string().max(L.maxUrlLength);

/**
 * One alert of Grafana Alerting's webhook contact point: Alertmanager's alert plus the
 * silence, dashboard, panel and image URLs and `values` (the query results that fired it).
 */
export const grafanaAlertSchema = webhookAlertSchema.extend({
  silenceURL: url.optional(),
  dashboardURL: url.optional(),
  panelURL: url.optional(),
  imageURL: url.optional(),
  values: z
    .record(z.string().max(L.maxNameLength), z.number().nullable())
    .refine((v) => Object.keys(v).length <= L.maxEntries, `at most ${L.maxEntries} entries`)
    .nullable()
    .optional(),
  valueString: z.string().max(L.maxValueLength).optional(),
});

/**
 * Grafana's webhook body (version "1"): the Alertmanager shape (receiver, status, alerts,
 * group and common labels, groupKey, truncatedAlerts) plus `orgId`, `state`, `title` and
 * `message`. Unknown fields are kept and ignored.
 */
export const grafanaWebhookSchema = z.looseObject({
  receiver: z.string().max(L.maxReceiverLength),
  status: z.enum(["firing", "resolved"]),
  orgId: z.int().min(0),
  alerts: z.array(grafanaAlertSchema).max(L.maxAlerts),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: url,
  version: z.string().max(16).optional(),
  groupKey: z.string().min(1).max(L.maxGroupKeyLength),
  truncatedAlerts: z.int().min(0).default(0),
  title: z.string().max(L.maxValueLength).optional(),
  state: z.string().max(64).optional(),
  message: z
    .string()
    .max(64 * 1024)
    .optional(),
});

/** A validated Grafana webhook body. */
export type GrafanaWebhook = z.output<typeof grafanaWebhookSchema>;

/** Validates a Grafana webhook body; throws input_invalid naming the first bad field. */
export function parseGrafanaWebhook(json: unknown): GrafanaWebhook {
  const parsed = grafanaWebhookSchema.safeParse(json, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = formatPath(issue.path);
  throw new FirebreakError("input_invalid", `Grafana webhook rejected: ${where}: ${describeIssue(issue)}`, {
    cause: parsed.error,
    details: { path: where },
  });
}

/**
 * The domain's notification for a Grafana body received by integration `name`: its group
 * is the integration's own (`integration:<name>:<groupKey>`), so two Grafanas never share
 * one; the dashboard, panel, silence and image URLs become the alert's links.
 */
export function grafanaNotification(name: string, g: GrafanaWebhook, receivedAt: Date): AlertNotification {
  return {
    receiver: g.receiver,
    status: g.status,
    alerts: g.alerts.map(toObservation),
    groupKey: `integration:${name}:${g.groupKey}`,
    groupLabels: g.groupLabels,
    commonLabels: g.commonLabels,
    commonAnnotations: g.commonAnnotations,
    externalURL: g.externalURL,
    truncatedAlerts: g.truncatedAlerts,
    receivedAt,
    source: `integration:${name}`,
  };
}

function toObservation(a: GrafanaWebhook["alerts"][number]): AlertObservation {
  const links: AlertLink[] = [
    ["Dashboard", a.dashboardURL],
    ["Panel", a.panelURL],
    ["Silence in Grafana", a.silenceURL],
    ["Image", a.imageURL],
  ].flatMap(([text, url]) => (url ? [{ text: text!, url }] : []));
  const endsAt = new Date(a.endsAt);
  return {
    fingerprint: a.fingerprint.toLowerCase(),
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: new Date(a.startsAt),
    endsAt: a.status === "resolved" && endsAt.getTime() > 0 ? endsAt : null,
    generatorURL: a.generatorURL,
    links,
    ...(a.values ? { values: a.values } : {}),
  };
}
