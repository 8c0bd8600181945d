import express, { Router } from "express";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import type pg from "pg";
import { SWEEP_GRACE_MS } from "../alerts/alert-processor.js";
import { checkAlertmanagerAuth } from "../alerts/auth.js";
import { recordBeat } from "../alerts/heartbeats.js";
import { receiveIntegrationRequest } from "../alerts/receive-integration.js";
import type { HeartbeatConfig, IntegrationConfig } from "../config-schema/intake.js";
import { FirebreakError } from "../core/errors.js";
import type { Clock } from "../core/ports.js";

/** Largest integration body accepted (a Grafana or Alertmanager group, a generic event). */
export const MAX_INTEGRATION_BYTES = 1024 * 1024;
/** A beat's body is not read for anything (Alertmanager's Watchdog notification fits easily). */
export const MAX_BEAT_BYTES = 256 * 1024;

/** How one request to an intake door ended, for /metrics. */
export type IntakeOutcome =
  | "stored"
  | "duplicate"
  | "not_open"
  | "beat"
  | "unknown"
  | "unauthorized"
  | "invalid"
  | "too_large"
  | "unavailable";

/** What the intake doors need, injected. */
export interface IntakeRouteDeps {
  pool: pg.Pool;
  clock: Clock;
  log: Logger;
  integrations: readonly IntegrationConfig[];
  heartbeats: readonly HeartbeatConfig[];
  /** Tokens by integration / heartbeat name, read from the environment at start-up. */
  tokens: { integrations: ReadonlyMap<string, string>; heartbeats: ReadonlyMap<string, string> };
  /** Called with each newly stored notification, after the answer is sent. */
  onStored(id: number): void;
  onAnswer?(door: "integration" | "heartbeat", name: string, outcome: IntakeOutcome): void;
}

/**
 * `POST /integrations/<name>` and `POST /heartbeats/<name>`, each with the Alertmanager
 * door's promises: the token (`Authorization: Bearer …`, or basic auth with it as the
 * password) is checked before the body is read (401); a body over the limit is 413; one
 * that can never be taken is 400 naming the field; 503 when Postgres cannot store it; 200
 * only once it is stored.
 */
export function intakeRouter(deps: IntakeRouteDeps): Router {
  const router = Router();
  const integrations = new Map(deps.integrations.map((i) => [i.name, i]));
  const heartbeats = new Map(deps.heartbeats.map((h) => [h.name, h]));
  const door = (req: Request) =>
    (req.baseUrl + req.path).startsWith("/heartbeats/") ? "heartbeat" : "integration";
  const answer = (req: Request, res: Response, outcome: IntakeOutcome, code: number, body: object) => {
    // Error handlers see no :name parameter; the path still has it.
    const name = String(req.params.name ?? decodeURIComponent(req.path.split("/")[1] ?? ""));
    const known = door(req) === "heartbeat" ? heartbeats.has(name) : integrations.has(name);
    deps.onAnswer?.(door(req), known ? name : "unknown", outcome);
    res.status(code).json(body);
  };
  const unavailable = (req: Request, res: Response, err: unknown) => {
    deps.log.warn({ err, path: req.path }, "could not store an intake request; answering 503");
    answer(req, res, "unavailable", 503, {
      error: "Firebreak cannot record this right now (its database is unreachable); send it again.",
    });
  };
  // Before the body is read: an unknown name is 404, a wrong token 401.
  const gate = (kind: "integration" | "heartbeat") => (req: Request, res: Response, next: NextFunction) => {
    const name = String(req.params.name);
    const known = kind === "integration" ? integrations.has(name) : heartbeats.has(name);
    if (!known)
      return answer(req, res, "unknown", 404, {
        error: `No ${kind} named "${name}": add it under ${kind === "integration" ? "integrations" : "heartbeats"}: in firebreak.yaml.`,
      });
    const token = (kind === "integration" ? deps.tokens.integrations : deps.tokens.heartbeats).get(name)!;
    if (!checkAlertmanagerAuth(req.headers.authorization, token))
      return answer(req, res, "unauthorized", 401, {
        error: `Unauthorized: send Authorization: Bearer <the token in this ${kind}'s token_env>.`,
      });
    next();
  };

  router.post(
    "/integrations/:name",
    gate("integration"),
    express.raw({ type: () => true, limit: MAX_INTEGRATION_BYTES }),
    async (req: Request, res: Response) => {
      const integration = integrations.get(String(req.params.name))!;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let json: unknown;
      try {
        json = JSON.parse(raw.toString("utf8"));
      } catch (err) {
        return answer(req, res, "invalid", 400, { error: `Malformed JSON: ${(err as Error).message}` });
      }
      const now = deps.clock.now();
      const idempotencyKey = req.get("idempotency-key")?.trim().slice(0, 200);
      try {
        const result = await receiveIntegrationRequest(deps.pool, integration, {
          raw,
          json,
          receivedAt: now,
          processAfter: new Date(now.getTime() + SWEEP_GRACE_MS),
          ...(idempotencyKey ? { idempotencyKey } : {}),
        });
        if (result.status === "not_open")
          return answer(req, res, "not_open", 200, { status: "not_open", message: result.message });
        answer(req, res, result.status, 200, result);
        if (result.status === "stored") deps.onStored(result.id);
      } catch (err) {
        if (err instanceof FirebreakError && err.code === "input_invalid")
          return answer(req, res, "invalid", 400, { error: err.message });
        unavailable(req, res, err);
      }
    },
  );

  router.post(
    "/heartbeats/:name",
    gate("heartbeat"),
    // Read (and bound) the body even though a beat ignores it, so the connection stays clean.
    express.raw({ type: () => true, limit: MAX_BEAT_BYTES }),
    async (req: Request, res: Response) => {
      const spec = heartbeats.get(String(req.params.name))!;
      try {
        const beat = await recordBeat(deps, spec);
        answer(req, res, "beat", 200, {
          status: "ok",
          next_deadline: beat.nextDeadline.toISOString(),
          ...(beat.recovered ? { recovered: true } : {}),
        });
        if (beat.notificationId !== null) deps.onStored(beat.notificationId);
      } catch (err) {
        unavailable(req, res, err);
      }
    },
  );

  router.use(
    ["/integrations", "/heartbeats"],
    (err: unknown, req: Request, res: Response, next: NextFunction) => {
      const type = (err as { type?: string }).type;
      if (type === "entity.too.large") {
        const limit = door(req) === "heartbeat" ? MAX_BEAT_BYTES : MAX_INTEGRATION_BYTES;
        return answer(req, res, "too_large", 413, {
          error: `Request body too large: at most ${limit} bytes.`,
        });
      }
      if (type === "request.aborted" || type === "encoding.unsupported" || type === "charset.unsupported")
        return answer(req, res, "invalid", 400, { error: `Unreadable request body (${type}).` });
      next(err);
    },
  );
  return router;
}
