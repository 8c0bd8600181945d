import express from "express";
import type { Metrics } from "../metrics.js";

/** Routes with a metric label of their own; everything else counts as "other" (bounded cardinality). */
const LABELLED_ROUTES = new Set([
  "/slack/events",
  "/alerts/alertmanager",
  "/healthz",
  "/readyz",
  "/metrics",
  "/twilio/sms",
  "/twilio/voice",
  "/twilio/status",
]);
/** Doors with a name or a token in the path, counted under their prefix. */
const PREFIXED_ROUTES = ["/integrations", "/heartbeats", "/ack", "/calendar"];

/**
 * Firebreak's express app: every request counted and timed in /metrics. The composition
 * root mounts the doors on it (health, Alertmanager, incident pages, then Slack's).
 */
export function createHttpApp(metrics: Metrics): express.Express {
  const http = express();
  http.disable("x-powered-by");
  http.use((req, res, next) => {
    const route = LABELLED_ROUTES.has(req.path)
      ? req.path
      : (PREFIXED_ROUTES.find((p) => req.path.startsWith(`${p}/`)) ?? "other");
    const end = metrics.httpDuration.startTimer({ route });
    res.on("finish", () => {
      end();
      metrics.httpRequests.inc({ route, code: String(res.statusCode) });
    });
    next();
  });
  return http;
}
