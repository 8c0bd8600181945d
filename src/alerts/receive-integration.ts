import { createHash, randomUUID } from "node:crypto";
import type pg from "pg";
import type { IntegrationConfig } from "../config-schema/intake.js";
import { integrationGroupKey, integrationNotification } from "../core/alerts/integration-event.js";
import { notificationToJson } from "../core/alerts/notification-json.js";
import { groupMayBeOpen, insertNotification } from "../store/alerts/notifications.js";
import type { NotificationKind } from "../store/alerts/notifications.js";
import { parseAlertmanagerWebhook } from "./alertmanager-payload.js";
import { mapGenericEvent } from "./generic-payload.js";
import { parseGrafanaWebhook } from "./grafana-payload.js";

/** Identical Alertmanager or Grafana bodies within this window are one delivery (a retry, an HA copy). */
const DEDUP_WINDOW_MS = 10 * 60_000;

/** What receiving one integration request did. */
export type IntegrationAnswer =
  | { status: "stored"; id: number }
  | { status: "duplicate" }
  /** A generic resolve for a dedup key with nothing open: nothing stored, nothing changed. */
  | { status: "not_open"; message: string };

/**
 * Validates an integration's body by its type and stores it for processing (so the sender
 * hears 200 only once Postgres has it). Throws input_invalid naming the field for a body
 * that can never be taken; a database failure is thrown as it is (the route answers 503).
 *
 * Generic events are mapped here, once, and stored as the alert notification they make; a
 * request with an `Idempotency-Key` is stored once per key, others each time (a generic
 * sender's repeat is a repeat of the alert, which merging recognises). Alertmanager and
 * Grafana bodies are stored as received, identical ones within ten minutes once.
 */
export async function receiveIntegrationRequest(
  pool: pg.Pool,
  integration: IntegrationConfig,
  request: { raw: Buffer; json: unknown; receivedAt: Date; processAfter: Date; idempotencyKey?: string },
): Promise<IntegrationAnswer> {
  const name = integration.name;
  let kind: NotificationKind;
  let groupKey: string;
  let body: string;
  let dedupKey: string;
  if (integration.type === "generic") {
    const event = mapGenericEvent(name, request.json, integration.mapping);
    groupKey = integrationGroupKey(name, event.dedupKey);
    if (event.status === "resolved" && !(await groupMayBeOpen(pool, groupKey)))
      return {
        status: "not_open",
        message: `Nothing is open for dedup key "${event.dedupKey}" of ${name}: the resolve changed nothing.`,
      };
    kind = "generic";
    body = notificationToJson(integrationNotification(name, event, request.receivedAt));
    dedupKey = request.idempotencyKey
      ? `integration:${name}:idempotency:${request.idempotencyKey}`
      : `integration:${name}:${randomUUID()}`;
  } else {
    const parsed =
      integration.type === "grafana"
        ? parseGrafanaWebhook(request.json)
        : parseAlertmanagerWebhook(request.json);
    kind = integration.type;
    groupKey = `integration:${name}:${parsed.groupKey}`;
    body = request.raw.toString("utf8");
    const digest = createHash("sha256").update(request.raw).digest("hex");
    dedupKey = `integration:${name}:${digest}:${Math.floor(request.receivedAt.getTime() / DEDUP_WINDOW_MS)}`;
  }
  const stored = await insertNotification(pool, {
    dedupKey,
    groupKey,
    body,
    receivedAt: request.receivedAt,
    processAfter: request.processAfter,
    kind,
    integration: name,
  });
  return stored.duplicate ? { status: "duplicate" } : { status: "stored", id: stored.id };
}
