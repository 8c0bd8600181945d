import { createHash } from "node:crypto";
import express, { Router } from "express";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import type pg from "pg";
import type { Clock } from "../core/ports.js";
import { FirebreakError } from "../core/errors.js";
import { insertNotification } from "../store/alerts/notifications.js";
import { SWEEP_GRACE_MS } from "../alerts/alert-processor.js";
import { checkAlertmanagerAuth } from "../alerts/auth.js";
import { parseAlertmanagerWebhook } from "../alerts/alertmanager-payload.js";

/** The route Alertmanager's webhook_configs point at. */
export const ALERTMANAGER_PATH = "/alerts/alertmanager";

/** Largest body accepted (Alertmanager's notifications are far smaller; use max_alerts). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Identical bodies within this window are one delivery (a retry, the HA peer's copy). */
const DEDUP_WINDOW_MS = 10 * 60_000;

/** What the webhook route needs, injected. */
export interface WebhookRouteDeps {
  pool: pg.Pool;
  clock: Clock;
  log: Logger;
  /** Unset: the route answers 503 (alerts are disabled until ALERTMANAGER_TOKEN is set). */
  token: string | undefined;
  /** Called with the id of each newly stored notification, after the answer is sent. */
  onStored(id: number): void;
  onAnswer?(
    outcome: "stored" | "duplicate" | "unauthorized" | "invalid" | "too_large" | "unavailable" | "disabled",
  ): void;
}

/**
 * `POST /alerts/alertmanager`: authenticates, validates and durably stores the
 * notification, then answers. 200 only once Postgres has it (or had it: a duplicate); 503
 * when it cannot take it, so that Alertmanager retries; 4xx (which Alertmanager does not
 * retry) only for requests that can never succeed.
 */
export function alertmanagerWebhookRouter(deps: WebhookRouteDeps): Router {
  const router = Router();
  const answer = (
    res: Response,
    outcome: Parameters<NonNullable<WebhookRouteDeps["onAnswer"]>>[0],
    code: number,
    body: object,
  ) => {
    deps.onAnswer?.(outcome);
    res.status(code).json(body);
  };
  router.post(
    ALERTMANAGER_PATH,
    (req: Request, res: Response, next: NextFunction) => {
      if (!deps.token)
        return answer(res, "disabled", 503, {
          error:
            "Alerts are disabled: set ALERTMANAGER_TOKEN on Firebreak and the same token in Alertmanager's webhook http_config.",
        });
      // Authenticate before reading the body: a stranger's megabytes are never parsed.
      if (!checkAlertmanagerAuth(req.headers.authorization, deps.token))
        return answer(res, "unauthorized", 401, {
          error:
            "Unauthorized: send Authorization: Bearer <ALERTMANAGER_TOKEN> (or basic auth with it as the password).",
        });
      next();
    },
    express.raw({ type: () => true, limit: MAX_BODY_BYTES }),
    async (req: Request, res: Response) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let json: unknown;
      try {
        json = JSON.parse(raw.toString("utf8"));
      } catch (err) {
        return answer(res, "invalid", 400, { error: `Malformed JSON: ${(err as Error).message}` });
      }
      let groupKey: string;
      try {
        groupKey = parseAlertmanagerWebhook(json).groupKey;
      } catch (err) {
        if (err instanceof FirebreakError) return answer(res, "invalid", 400, { error: err.message });
        throw err;
      }
      const now = deps.clock.now();
      const digest = createHash("sha256").update(raw).digest("hex");
      try {
        const stored = await insertNotification(deps.pool, {
          dedupKey: `${digest}:${Math.floor(now.getTime() / DEDUP_WINDOW_MS)}`,
          groupKey,
          body: raw.toString("utf8"),
          receivedAt: now,
          processAfter: new Date(now.getTime() + SWEEP_GRACE_MS),
        });
        if (stored.duplicate) return answer(res, "duplicate", 200, { status: "duplicate" });
        answer(res, "stored", 200, { status: "stored", id: stored.id });
        deps.onStored(stored.id);
      } catch (err) {
        deps.log.warn({ err }, "could not store an Alertmanager notification; answering 503");
        return answer(res, "unavailable", 503, {
          error:
            "Firebreak cannot record the notification right now (its database is unreachable); Alertmanager will retry.",
        });
      }
    },
  );
  router.use(ALERTMANAGER_PATH, (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const type = (err as { type?: string }).type;
    if (type === "entity.too.large")
      return answer(res, "too_large", 413, {
        error: `Request body too large: at most ${MAX_BODY_BYTES} bytes. Lower max_alerts in Alertmanager's webhook_config.`,
      });
    if (type === "request.aborted" || type === "encoding.unsupported" || type === "charset.unsupported")
      return answer(res, "invalid", 400, { error: `Unreadable request body (${type}).` });
    next(err);
  });
  return router;
}
