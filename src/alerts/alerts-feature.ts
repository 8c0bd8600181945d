import { Counter } from "prom-client";
import type { FeatureFactory, FeatureModule } from "../feature-module.js";
import { registerAlertListeners } from "../slack/listeners/alert-listeners.js";
import { alertOutboxHandlers } from "./alert-outbox.js";
import { AlertProcessor } from "./alert-processor.js";
import { createAlertmanagerClient } from "./alertmanager-api.js";
import { createInviteeResolver } from "./invitees.js";
import { alertSummaryContributor } from "./summary-contributor.js";
import { alertmanagerWebhookRouter } from "../web/alertmanager-route.js";

/** The alerts feature, for the runtime's FEATURES; also exposes its processor (tests, benchmarks). */
export interface AlertsFeature extends FeatureModule {
  processor: AlertProcessor;
}

/**
 * Alertmanager → incidents: the webhook route (web), in-process processing right after
 * each answer, the sweeper (worker), the summary's alert blocks, the Silence control.
 */
export const alertsFeature: FeatureFactory = (ctx) => createAlertsFeature(ctx);

export function createAlertsFeature(ctx: Parameters<FeatureFactory>[0]): AlertsFeature {
  const log = ctx.log.child({ component: "alerts" });
  const received = new Counter({
    name: "firebreak_alert_notifications_total",
    help: "Alertmanager webhook requests, by outcome (stored, duplicate, unauthorized, invalid, too_large, unavailable, disabled).",
    labelNames: ["outcome"] as const,
    registers: [ctx.metrics.registry],
  });
  const processed = new Counter({
    name: "firebreak_alert_notifications_processed_total",
    help: "Stored Alertmanager notifications processed, by plan (open, storm, reopen, record, track) or failed.",
    labelNames: ["plan"] as const,
    registers: [ctx.metrics.registry],
  });
  const processor = new AlertProcessor(
    { incidents: ctx.incidents, invitees: createInviteeResolver({ slack: ctx.slack, log }) },
    {
      log,
      onProcessed: (o) =>
        processed.inc({ plan: o === "failed" ? "failed" : o.status === "skipped" ? "skipped" : o.plan }),
    },
  );
  if (!ctx.env.alertmanagerToken && ctx.role !== "worker")
    log.warn("ALERTMANAGER_TOKEN is not set: POST /alerts/alertmanager answers 503 until it is.");
  const alertmanager = ctx.env.alertmanagerUrl
    ? createAlertmanagerClient({ baseUrl: ctx.env.alertmanagerUrl })
    : null;
  return {
    name: "alerts",
    processor,
    outboxHandlers: alertOutboxHandlers(),
    summaryBlocks: alertSummaryContributor({
      alerts: ctx.config.alerts,
      silencesEnabled: alertmanager !== null,
    }),
    routes: alertmanagerWebhookRouter({
      pool: ctx.pool,
      clock: ctx.clock,
      log,
      token: ctx.env.alertmanagerToken,
      onStored: (id) => processor.kick(id),
      onAnswer: (outcome) => received.inc({ outcome }),
    }),
    registerSlack(app) {
      if (alertmanager)
        registerAlertListeners(app, { incidents: ctx.incidents, alertmanager, slack: ctx.slack });
    },
    async startWorker() {
      processor.startSweeper();
    },
    async stop() {
      await processor.stop();
    },
  };
}
